//! Snapshot and resume against an uninterrupted run, as a property: for
//! generated inputs and generated snapshot points, a run suspended at each
//! point, written as JSON and resumed by a new runner ends as the same inputs
//! end without a break, and its streams tell the same story.
//!
//! Each workflow writes events whose content is a *logical id*: the
//! invocation that wrote them (`by`, its step and its input's id), its
//! attempt where it retries, and what it did. An uninterrupted run writes
//! each logical event once. The rule for an interrupted run, whose stream is
//! cut into segments by its snapshots:
//!
//! - every logical event of the uninterrupted run is in some segment, and no
//!   segment holds one that run did not write (nothing lost, nothing made up);
//! - no segment holds a logical event twice;
//! - a logical event in more than one segment was written by an invocation in
//!   flight at every snapshot between its first and its last segment: the
//!   documented re-run from the top of an invocation in flight, and nothing
//!   else, writes an event again;
//! - the last event (the stop event, holding the result, or the event that
//!   says how the run failed) and the awaited result are those of the
//!   uninterrupted run, a run that ended just as it was asked to suspend
//!   included;
//! - the sequence numbers read with [`EventStream::last_sequence`] over all
//!   segments are 0, 1, 2, ... with no gap and no repeat, and each snapshot's
//!   `next_sequence` is the number of events before it.
//!
//! The steps' behaviour follows from their inputs alone; some yield to the
//! scheduler, so that the caller finds runs half done. Everything runs on a
//! current-thread runtime whose clock is paused, so a run that stalls (a
//! resumed wait that never asks, say) fails at once instead of hanging.
//!
//! 64 cases for each workflow, up to three snapshots in each: well under a
//! second in all.
//!
//! proptest writes the seeds of failing cases to
//! `tests/snapshot_property.proptest-regressions`, which `.gitignore` keeps
//! out of git: add it by hand (`git add -f`) when it holds a real regression.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;
use typed_workflows::prelude::*;
use typed_workflows::{
    EventStream, HumanResponseEvent, InputRequiredEvent, Output, RetryPolicy, RunSnapshot,
    SnapshotError, Workflow, WorkflowHandler,
};

// --- the workflows ----------------------------------------------------------------------

/// What a step did, on the stream: `by` is the invocation, `text` what it did.
#[event]
struct Note {
    by: String,
    text: String,
}

/// Yields to the scheduler `times` times, so that the caller can act while
/// the step is under way.
async fn pause(times: u32) {
    for _ in 0..times {
        tokio::task::yield_now().await;
    }
}

/// Notes `before {value}` as `by`, yields a few times by `value` (a
/// while in which a snapshot may catch the invocation in flight), calls
/// `meanwhile`, and notes `after`.
async fn noted_work<W: Workflow>(
    ctx: &Context<W>,
    by: String,
    value: u32,
    meanwhile: impl FnOnce(),
) {
    ctx.write_event_to_stream(Note {
        by: by.clone(),
        text: format!("before {value}"),
    });
    pause(1 + value % 3).await;
    meanwhile();
    ctx.write_event_to_stream(Note {
        by,
        text: "after".into(),
    });
}

/// A chain of steps, one per value, each noting its value doubled in the
/// state; the result is the state.
struct Chain;

#[event(start)]
struct Values {
    values: Vec<u32>,
}

#[event]
struct Link {
    id: String,
    index: usize,
    values: Vec<u32>,
}

#[data]
#[derive(Debug, Default, PartialEq)]
struct Doubled {
    by_index: BTreeMap<usize, u32>,
}

#[derive(OneOf)]
enum Next {
    Link(Link),
    Stop(StopEvent<BTreeMap<usize, u32>>),
}

#[workflow_impl(state = Doubled)]
impl Chain {
    #[step(writes(Note))]
    async fn first(&self, ctx: &Context<Self>, start: Values) -> Link {
        let by = format!("{}/start", ctx.step_name());
        ctx.write_event_to_stream(Note {
            by,
            text: "begins".into(),
        });
        Link {
            id: "0".into(),
            index: 0,
            values: start.values,
        }
    }

    #[step(writes(Note))]
    async fn link(&self, ctx: &Context<Self>, link: Link) -> Next {
        let by = format!("{}/{}", ctx.step_name(), link.id);
        let value = link.values[link.index];
        // Set, not added to: the re-run of an invocation in flight makes its
        // edits again.
        noted_work(ctx, by, value, || {
            ctx.edit_state(|doubled| doubled.by_index.insert(link.index, value * 2));
        })
        .await;
        let index = link.index + 1;
        if index == link.values.len() {
            return Next::Stop(StopEvent::new(
                ctx.read_state(|doubled| doubled.by_index.clone()),
            ));
        }
        Next::Link(Link {
            id: index.to_string(),
            index,
            values: link.values,
        })
    }
}

/// A fan-out of one branch per item, some branches producing nothing,
/// gathered by a `Vec<Done>` step.
struct Fan;

#[event(start)]
struct Items {
    items: Vec<u32>,
}

#[event]
struct Item {
    id: String,
    value: u32,
}

#[event]
struct Done {
    id: String,
    value: u32,
}

#[workflow_impl]
impl Fan {
    #[step]
    async fn spread(&self, start: Items) -> Vec<Item> {
        let items = start.items.into_iter().enumerate();
        items
            .map(|(index, value)| Item {
                id: index.to_string(),
                value,
            })
            .collect()
    }

    #[step(num_workers = 2, writes(Note))]
    async fn work(&self, ctx: &Context<Self>, item: Item) -> Option<Done> {
        let by = format!("{}/{}", ctx.step_name(), item.id);
        noted_work(ctx, by, item.value, || {}).await;
        (!item.value.is_multiple_of(4)).then(|| Done {
            id: item.id,
            value: item.value * item.value,
        })
    }

    #[step]
    async fn gather(&self, done: Vec<Done>) -> StopEvent<Vec<u32>> {
        StopEvent::new(done.into_iter().map(|done| done.value).collect())
    }
}

/// Parts sent one by one, marked by two workers, and collected with
/// `collect_events`.
struct Collect;

#[event(start)]
struct Parts {
    parts: Vec<u32>,
}

#[event]
struct Part {
    id: String,
    index: usize,
    value: u32,
    of: usize,
}

#[event]
struct Marked {
    id: String,
    index: usize,
    value: u32,
    of: usize,
}

#[workflow_impl]
impl Collect {
    #[step(sends(Part))]
    async fn scatter(&self, ctx: &Context<Self>, start: Parts) {
        let of = start.parts.len();
        for (index, value) in start.parts.into_iter().enumerate() {
            ctx.send_event(Part {
                id: index.to_string(),
                index,
                value,
                of,
            });
        }
    }

    #[step(num_workers = 2, writes(Note))]
    async fn mark(&self, ctx: &Context<Self>, part: Part) -> Marked {
        let by = format!("{}/{}", ctx.step_name(), part.id);
        noted_work(ctx, by, part.value, || {}).await;
        Marked {
            id: part.id,
            index: part.index,
            value: part.value + 1,
            of: part.of,
        }
    }

    #[step]
    async fn join(&self, ctx: &Context<Self>, marked: Marked) -> Option<StopEvent<Vec<u32>>> {
        let of = marked.of;
        let mut all = ctx.collect_events(marked, of)?;
        all.sort_by_key(|marked| marked.index);
        Some(StopEvent::new(
            all.into_iter().map(|marked| marked.value).collect(),
        ))
    }
}

/// One step of three attempts that fails its first `fails` (the run fails
/// when that is all three), then asks `count` questions in turn and waits
/// for each answer.
struct Interview;

#[event(start)]
struct Questions {
    count: usize,
    fails: u32,
}

#[data]
#[derive(Debug, Default, PartialEq)]
struct Answers {
    attempts: BTreeSet<u32>,
    by_question: BTreeMap<usize, String>,
}

/// The attempts made and the answers, by question.
type Interviewed = (Vec<u32>, Vec<String>);

const RETRY: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(3);

#[workflow_impl(state = Answers)]
impl Interview {
    #[step(
        waits_for(HumanResponseEvent),
        writes(InputRequiredEvent, Note),
        retry = RETRY
    )]
    async fn interview(
        &self,
        ctx: &Context<Self>,
        start: Questions,
    ) -> Result<StopEvent<Interviewed>> {
        let attempt = ctx.attempt();
        let by = format!("{}/start", ctx.step_name());
        ctx.write_event_to_stream(Note {
            by: by.clone(),
            text: format!("attempt {attempt}"),
        });
        ctx.edit_state(|answers| answers.attempts.insert(attempt));
        if attempt <= start.fails {
            anyhow::bail!("attempt {attempt} fails");
        }
        for question in 0..start.count {
            let answer = ctx
                .wait_for_event::<HumanResponseEvent>()
                .publishing(InputRequiredEvent {
                    prefix: format!("{by}|{attempt}|{question}"),
                })
                .await?;
            ctx.write_event_to_stream(Note {
                by: by.clone(),
                text: format!("answer {question}: {}", answer.response),
            });
            ctx.edit_state(|answers| answers.by_question.insert(question, answer.response));
        }
        Ok(StopEvent::new(ctx.read_state(|answers| {
            let attempts = answers.attempts.iter().copied().collect();
            (attempts, answers.by_question.values().cloned().collect())
        })))
    }
}

/// Answers each question of an [`Interview`] once, from `answers`: a
/// question asked again by a re-run whose answer was already sent is not
/// answered twice, as the resumed run holds that answer.
fn answering(answers: Vec<String>) -> impl FnMut(&WorkflowHandler<Interview>, &AnyEvent) {
    let mut sent = BTreeSet::new();
    move |handler, event| {
        let Some(asked) = event.downcast_ref::<InputRequiredEvent>() else {
            return;
        };
        let question: usize = asked.prefix.rsplit('|').next().unwrap().parse().unwrap();
        if sent.insert(question) {
            let response = answers[question].clone();
            handler.send_event(HumanResponseEvent { response }).unwrap();
        }
    }
}

// --- running, with and without snapshots ------------------------------------------------

/// How long the paused clock may move on while the caller waits for an
/// event: only a stalled run takes that long.
const STALL: Duration = Duration::from_secs(3600);

/// An event as read from a stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Logged {
    /// Its logical id: its name and its JSON.
    id: (&'static str, String),
    /// The invocation that wrote it, for the events a re-run writes again.
    by: Option<String>,
}

impl Logged {
    fn of(event: &AnyEvent) -> Self {
        let json = event.to_json().unwrap();
        let by = match event.downcast_ref::<InputRequiredEvent>() {
            Some(asked) => asked.prefix.split('|').next().map(str::to_owned),
            None => json.get("by").and_then(Value::as_str).map(str::to_owned),
        };
        Self {
            id: (event.name(), json.to_string()),
            by,
        }
    }
}

/// Where to suspend: after the caller has read this many events of the
/// run's streams (re-written ones included), before or after it has reacted
/// to the last of them (answered a question, say).
type Points = BTreeMap<usize, bool>;

/// What a run, interrupted or not, showed its caller.
#[derive(Debug, Default)]
struct Record {
    /// The events of each run's stream, one run per snapshot plus one.
    segments: Vec<Vec<Logged>>,
    /// The sequence number of each event, over all segments.
    sequences: Vec<u64>,
    /// At each snapshot: the invocations in flight, as `step/ids`, and its
    /// `next_sequence`.
    snapshots: Vec<(BTreeSet<String>, u64)>,
    /// The awaited result.
    result: String,
}

/// The invocations in flight in `snapshot`, named as the steps name
/// themselves in `by`: the step, and the ids of its input events (`start`
/// for a start event).
fn in_flight(snapshot: &RunSnapshot) -> BTreeSet<String> {
    let name = |record: &typed_workflows::snapshot::EventRecord| {
        let id = record.value.get("id").and_then(Value::as_str);
        id.unwrap_or("start").to_owned()
    };
    snapshot
        .in_flight
        .iter()
        .map(|in_flight| {
            let mut ids: Vec<String> = in_flight.invocation.events.iter().map(name).collect();
            ids.sort();
            format!("{}/{}", in_flight.invocation.step, ids.join(","))
        })
        .collect()
}

/// `future`'s output, or a panic saying `what` stalled.
async fn in_time<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STALL, future)
        .await
        .unwrap_or_else(|_| panic!("{what} stalled"))
}

async fn next(events: &mut EventStream) -> Option<AnyEvent> {
    in_time("the stream", events.next()).await
}

/// Notes `event`, just read from `events`.
fn log(
    events: &EventStream,
    event: &AnyEvent,
    segment: &mut Vec<Logged>,
    sequences: &mut Vec<u64>,
) {
    segment.push(Logged::of(event));
    sequences.push(events.last_sequence().unwrap());
}

/// Reads the rest of `events`, as [`log`] does.
async fn drain(events: &mut EventStream, segment: &mut Vec<Logged>, sequences: &mut Vec<u64>) {
    while let Some(event) = next(events).await {
        log(events, &event, segment, sequences);
    }
}

/// Runs `workflow` from `start`, reacting to each event with `react`,
/// suspending at `points` and resuming each time with a new runner from
/// the snapshot's JSON.
async fn run<W>(
    workflow: fn() -> W,
    start: W::Start,
    points: &Points,
    mut react: impl FnMut(&WorkflowHandler<W>, &AnyEvent),
) -> Record
where
    W: Workflow,
    Output<W>: Debug,
{
    let mut record = Record::default();
    let mut handler = workflow().runner().without_timeout().run(start);
    let mut events = handler.stream_events().unwrap();
    let mut segment = Vec::new();
    let mut read = 0;
    while let Some(event) = next(&mut events).await {
        log(&events, &event, &mut segment, &mut record.sequences);
        read += 1;
        let before = points.get(&read).copied();
        if before != Some(true) {
            react(&handler, &event);
        }
        if before.is_none() {
            continue;
        }
        match in_time("the suspend", handler.suspend()).await {
            Ok(snapshot) => {
                // The stream ends after the events published before the
                // snapshot.
                drain(&mut events, &mut segment, &mut record.sequences).await;
                record.segments.push(std::mem::take(&mut segment));
                record
                    .snapshots
                    .push((in_flight(&snapshot), snapshot.next_sequence));
                let json = serde_json::to_string(&snapshot).unwrap();
                let snapshot: RunSnapshot = serde_json::from_str(&json).unwrap();
                handler = workflow()
                    .runner()
                    .without_timeout()
                    .resume(snapshot)
                    .unwrap();
                events = handler.stream_events().unwrap();
                if before == Some(true) {
                    react(&handler, &event);
                }
            }
            // The run ended before it could be written down: its stream
            // holds the rest, the stop event included, and its handler
            // its result.
            Err(SnapshotError::RunEnded) => {
                drain(&mut events, &mut segment, &mut record.sequences).await;
                break;
            }
            Err(error) => panic!("the snapshot failed: {error}"),
        }
    }
    record.segments.push(segment);
    record.result = format!("{:?}", in_time("the run", handler).await);
    record
}

/// Checks `interrupted` against `whole`, by the rule of this file's doc.
fn check(whole: &Record, interrupted: &Record) {
    let expected = &whole.segments[0];
    let distinct: BTreeSet<_> = expected.iter().map(|event| &event.id).collect();
    assert_eq!(
        distinct.len(),
        expected.len(),
        "ids are unique: {expected:#?}"
    );
    let all = interrupted.segments.iter().flatten();
    let seen: BTreeSet<_> = all.clone().map(|event| &event.id).collect();
    assert_eq!(seen, distinct, "the same events: {interrupted:#?}");

    let mut segments_of: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (index, segment) in interrupted.segments.iter().enumerate() {
        for event in segment {
            segments_of.entry(event).or_default().push(index);
        }
    }
    for (event, segments) in &segments_of {
        let once: BTreeSet<_> = segments.iter().collect();
        assert_eq!(once.len(), segments.len(), "{event:?} twice in a segment");
        let (first, last) = (segments[0], segments[segments.len() - 1]);
        for (in_flight, _) in &interrupted.snapshots[first..last] {
            let rerun = event.by.as_ref().is_some_and(|by| in_flight.contains(by));
            assert!(
                rerun,
                "{event:?} written again, not by an invocation in flight {in_flight:?}: {interrupted:#?}"
            );
        }
    }

    let last = |record: &Record| record.segments.last().unwrap().last().cloned();
    assert_eq!(last(interrupted), last(whole), "the same last event");
    assert_eq!(interrupted.result, whole.result, "the same result");

    let count = interrupted.segments.iter().map(Vec::len).sum::<usize>() as u64;
    let numbers = (0..count).collect::<Vec<_>>();
    assert_eq!(
        interrupted.sequences, numbers,
        "numbered once each, in order"
    );
    let mut before = 0;
    for (segment, (_, next_sequence)) in interrupted.segments.iter().zip(&interrupted.snapshots) {
        before += segment.len() as u64;
        assert_eq!(*next_sequence, before, "the snapshot's next sequence");
    }
}

/// What the caller does on reading an event of a run, the same for the run
/// whole and for the one interrupted.
type React<W> = Box<dyn FnMut(&WorkflowHandler<W>, &AnyEvent)>;

/// Runs the same inputs whole and with snapshots at `points`, and checks
/// one against the other.
fn property<W>(
    workflow: fn() -> W,
    start: impl Fn() -> W::Start,
    points: &Points,
    react: impl Fn() -> React<W>,
) -> Record
where
    W: Workflow,
    Output<W>: Debug,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let whole = run(workflow, start(), &Points::new(), react()).await;
        let interrupted = run(workflow, start(), points, react()).await;
        check(&whole, &interrupted);
        interrupted
    })
}

/// No reaction to any event.
fn ignoring<W: Workflow>() -> React<W> {
    Box::new(|_, _| {})
}

fn points() -> impl Strategy<Value = Points> {
    prop::collection::btree_map(1usize..=12, any::<bool>(), 1..=3)
}

fn values() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(0u32..20, 0..=6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_chain_with_state_edits_resumes_as_it_runs(
        values in prop::collection::vec(0u32..20, 1..=6),
        points in points(),
    ) {
        property(|| Chain, || Values { values: values.clone() }, &points, ignoring);
    }

    #[test]
    fn a_fan_out_gathered_by_a_vec_step_resumes_as_it_runs(items in values(), points in points()) {
        property(|| Fan, || Items { items: items.clone() }, &points, ignoring);
    }

    #[test]
    fn collect_events_resumes_as_it_runs(
        parts in prop::collection::vec(0u32..20, 1..=6),
        points in points(),
    ) {
        property(|| Collect, || Parts { parts: parts.clone() }, &points, ignoring);
    }

    #[test]
    fn a_retried_step_waiting_for_answers_resumes_as_it_runs(
        answers in prop::collection::vec("[a-z]{1,3}", 0..=3),
        fails in 0u32..=3,
        points in points(),
    ) {
        let start = || Questions { count: answers.len(), fails };
        let react = || -> React<Interview> {
            Box::new(answering(answers.clone()))
        };
        property(|| Interview, start, &points, react);
    }
}
