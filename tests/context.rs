//! What a step sees through its context: the run's id, its own name,
//! `collect_events` (small and at 100,000 events), and the runner's settings,
//! with verbose mode changing nothing but the printing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::{DEFAULT_TIMEOUT, RunId};

// --- run_id and step_name --------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Seen {
    run: RunId,
    step: String,
}

struct Identify {
    seen: Mutex<Vec<(RunId, &'static str)>>,
}

workflow! {
    impl Identify {
        #[step]
        async fn first(&self, ctx: &Context<Self>, _ev: StartEvent) -> Seen {
            self.seen.lock().unwrap().push((ctx.run_id(), ctx.step_name()));
            Seen { run: ctx.run_id(), step: ctx.step_name().into() }
        }

        #[step]
        async fn second(&self, ctx: &Context<Self>, ev: Seen) -> StopEvent<(RunId, String)> {
            self.seen.lock().unwrap().push((ctx.run_id(), ctx.step_name()));
            StopEvent::new((ev.run, ev.step))
        }
    }
}

#[tokio::test]
async fn steps_see_the_run_id_of_their_handler_and_their_own_name() {
    let runner = Identify {
        seen: Mutex::new(Vec::new()),
    }
    .runner();
    let first = runner.run(StartEvent::new());
    let second = runner.run(StartEvent::new());
    let (first_id, second_id) = (first.run_id(), second.run_id());
    // The second run began later, and its id sorts after the first's.
    assert!(first_id < second_id);
    // The id went through an event, as serde data, and came back whole.
    assert_eq!(first.await.unwrap(), (first_id, "first".into()));
    assert_eq!(second.await.unwrap(), (second_id, "first".into()));

    let seen = runner.workflow().seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (first_id, "first"),
            (first_id, "second"),
            (second_id, "first"),
            (second_id, "second"),
        ]
    );
    assert_eq!(first_id.to_string().parse::<RunId>(), Ok(first_id));
}

// --- collect_events -----------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Item {
    index: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Pair {
    indices: Vec<u32>,
}

struct Pairs;

workflow! {
    impl Pairs {
        #[step(sends(Item))]
        async fn split(&self, ctx: &Context<Self>, _ev: StartEvent) {
            for index in 0..6 {
                ctx.send_event(Item { index });
            }
        }

        #[step(num_workers = 2)]
        async fn pair(&self, ctx: &Context<Self>, item: Item) -> Option<Pair> {
            let items = ctx.collect_events(item, 2)?;
            Some(Pair { indices: items.into_iter().map(|item| item.index).collect() })
        }

        #[step]
        async fn all(&self, ctx: &Context<Self>, pair: Pair) -> Option<StopEvent<Vec<Vec<u32>>>> {
            let pairs = ctx.collect_events(pair, 3)?;
            Some(StopEvent::new(pairs.into_iter().map(|pair| pair.indices).collect()))
        }
    }
}

#[tokio::test]
async fn collect_events_hands_over_each_full_batch_and_starts_over() {
    let pairs = Pairs.runner().run(StartEvent::new()).await.unwrap();
    assert_eq!(pairs, [vec![0, 1], vec![2, 3], vec![4, 5]]);
}

/// The count each `Item` is collected with, by its index.
const COUNTS: [usize; 5] = [0, 3, 3, 1, 2];

struct Counts {
    batches: Mutex<Vec<Vec<u32>>>,
}

workflow! {
    impl Counts {
        #[step(sends(Item))]
        async fn split(&self, ctx: &Context<Self>, _ev: StartEvent) {
            for index in 0..COUNTS.len() as u32 {
                ctx.send_event(Item { index });
            }
        }

        #[step(num_workers = 1)]
        async fn take(&self, ctx: &Context<Self>, item: Item) -> Option<StopEvent<Vec<Vec<u32>>>> {
            let batch = ctx.collect_events(item.clone(), COUNTS[item.index as usize])?;
            let mut batches = self.batches.lock().unwrap();
            batches.push(batch.into_iter().map(|item| item.index).collect());
            (batches.len() == 3).then(|| StopEvent::new(batches.clone()))
        }
    }
}

#[tokio::test]
async fn collect_events_hands_over_exactly_the_count_asked_for_and_nothing_for_zero() {
    let batches = Counts {
        batches: Mutex::new(Vec::new()),
    }
    .runner()
    .run(StartEvent::new())
    .await
    .unwrap();
    // Item 0 asks for no event: it gets none, and is not kept. Items 1 and
    // 2 wait for a third; item 3 asks for one, the oldest, and leaves two;
    // item 4 asks for two, and leaves itself.
    assert_eq!(batches, [vec![], vec![1], vec![2, 3]]);
}

// --- collect_each ---------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Query {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Retrieved {
    node: u32,
}

/// One of the events a `Part` carries to the collecting step.
#[derive(Debug, Clone, Serialize, Deserialize, OneOf)]
enum Piece {
    Query(Query),
    Retrieved(Retrieved),
    Item(Item),
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Part {
    piece: Piece,
}

/// Sends the pieces of the start event's `order`, a string of `q` (a
/// query), `r` (a retrieved node) and `i` (an item), in one `Part` each;
/// `gather` collects one query and two retrieved nodes at a time, and ends
/// the run after `sets` of them. With `steal`, an item makes it collect one
/// retrieved node with `collect_events` instead, from the same buffer.
struct Sets {
    sets: usize,
    steal: bool,
    log: Mutex<Vec<String>>,
}

workflow! {
    impl Sets {
        #[step(sends(Part))]
        async fn split(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
            let order: String = start.get("order")?;
            for (n, kind) in (0..).zip(order.chars()) {
                let piece = match kind {
                    'q' => Query { text: format!("q{n}") }.into(),
                    'r' => Retrieved { node: n }.into(),
                    _ => Item { index: n }.into(),
                };
                ctx.send_event(Part { piece });
            }
            Ok(())
        }

        #[step(num_workers = 1)]
        async fn gather(&self, ctx: &Context<Self>, part: Part) -> Option<StopEvent<Vec<String>>> {
            let entry = match part.piece {
                Piece::Item(item) if self.steal => {
                    let stolen = ctx.collect_events(Retrieved { node: item.index }, 1)?;
                    format!("stole r{}", stolen[0].node)
                }
                piece => {
                    let (query, first, second) =
                        ctx.collect_each::<(Query, Retrieved, Retrieved)>(piece)?;
                    format!("{} r{} r{}", query.text, first.node, second.node)
                }
            };
            let mut log = self.log.lock().unwrap();
            log.push(entry);
            (log.len() == self.sets).then(|| StopEvent::new(log.clone()))
        }
    }
}

async fn collect_sets(sets: usize, steal: bool, order: &str) -> Result<Vec<String>, WorkflowError> {
    let runner = Sets {
        sets,
        steal,
        log: Mutex::new(Vec::new()),
    }
    .runner();
    runner.run(StartEvent::new().with("order", order)).await
}

#[tokio::test]
async fn collect_each_gathers_the_oldest_of_each_listed_type_in_the_listed_order() {
    // Two nodes, then two queries: the first set takes the first query, and
    // the second query waits for two more nodes.
    let log = collect_sets(2, false, "rrqqrr").await.unwrap();
    assert_eq!(log, ["q2 r0 r1", "q3 r4 r5"]);
}

#[tokio::test]
async fn collect_each_and_collect_events_take_a_type_from_one_buffer() {
    // The item takes the oldest node; the set, the two after it.
    let log = collect_sets(2, true, "rriq").await.unwrap();
    assert_eq!(log, ["stole r0", "q3 r1 r2"]);
}

#[tokio::test]
async fn collect_each_of_a_type_it_does_not_list_panics_naming_the_step_and_the_types() {
    let error = collect_sets(1, false, "i").await.unwrap_err();
    let WorkflowError::StepPanicked { step, message, .. } = &error else {
        panic!("expected StepPanicked, got {error:?}");
    };
    assert_eq!(*step, "gather");
    assert_eq!(
        message,
        "step `gather` collects one of each of (Query, Retrieved, Retrieved) with `collect_each`, and was given an event of type `Item`: pass it events of those types only"
    );
}

const MANY: u32 = 100_000;

struct FanIn {
    collected: AtomicUsize,
}

workflow! {
    impl FanIn {
        #[step(sends(Item))]
        async fn fan_out(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
            let count: u32 = start.get("count")?;
            for index in 0..count {
                ctx.send_event(Item { index });
            }
            Ok(())
        }

        #[step(num_workers = 8)]
        async fn fan_in(&self, ctx: &Context<Self>, item: Item) -> Option<StopEvent<Vec<u32>>> {
            self.collected.fetch_add(1, Ordering::Relaxed);
            let items = ctx.collect_events(item, MANY as usize)?;
            Some(StopEvent::new(items.into_iter().map(|item| item.index).collect()))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_events_gathers_100_000_events_in_the_order_sent() {
    let runner = FanIn {
        collected: AtomicUsize::new(0),
    }
    .runner()
    .timeout(Duration::from_secs(120));
    let indices = runner
        .run(StartEvent::new().with("count", MANY))
        .await
        .unwrap();
    assert_eq!(indices.len(), MANY as usize);
    assert!(
        indices.iter().copied().eq(0..MANY),
        "the batch is in the order sent"
    );
    assert_eq!(
        runner.workflow().collected.load(Ordering::Relaxed),
        MANY as usize
    );
}

#[tokio::test]
async fn collect_events_that_never_fills_its_batch_stalls_the_run() {
    let error = FanIn {
        collected: AtomicUsize::new(0),
    }
    .runner()
    .run(StartEvent::new().with("count", 10))
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            WorkflowError::Stalled {
                last_step: "fan_in"
            }
        ),
        "{error:?}"
    );
}

// --- runner settings and verbose mode --------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Number {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Even {
    n: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Progress {
    text: String,
}

struct Busy;

workflow! {
    impl Busy {
        #[step(sends(Number))]
        async fn begin(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
            let count: u32 = start.get("count")?;
            for n in 0..count {
                ctx.send_event(Number { n });
            }
            ctx.send_event_to("skip_odd", Number { n: count })?;
            Ok(())
        }

        #[step(writes(Progress))]
        async fn skip_odd(&self, ctx: &Context<Self>, ev: Number) -> Option<Even> {
            ctx.write_event_to_stream(Progress { text: format!("saw {}", ev.n) });
            ev.n.is_multiple_of(2).then_some(Even { n: ev.n })
        }

        #[step]
        async fn total(&self, ctx: &Context<Self>, ev: Even) -> Option<StopEvent<Vec<u32>>> {
            let numbers = ctx.collect_events(ev, 6)?;
            Some(StopEvent::new(numbers.into_iter().map(|number| number.n).collect()))
        }
    }
}

async fn run_busy(runner: Runner<Busy>) -> (Vec<u32>, Vec<String>) {
    let mut handler = runner.run(StartEvent::new().with("count", 10));
    let mut events = handler.stream_events().unwrap();
    let result = handler.await.unwrap();
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(format!("{event:?}"));
    }
    (result, seen)
}

#[tokio::test]
async fn verbose_mode_does_not_change_results_or_events() {
    let runner = Busy.runner();
    assert_eq!(runner.timeout_duration(), Some(DEFAULT_TIMEOUT));
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(45));
    let quiet = run_busy(runner.clone().verbose(false)).await;
    let verbose = run_busy(runner.verbose(true)).await;
    assert_eq!(quiet.0, [0, 2, 4, 6, 8, 10]);
    assert_eq!(quiet, verbose);
}

#[tokio::test]
async fn runner_settings_are_kept_by_clones() {
    let runner = Busy.runner().timeout(Duration::from_secs(3));
    let clone = runner.clone();
    assert_eq!(clone.timeout_duration(), Some(Duration::from_secs(3)));
    let (result, _) = run_busy(clone.without_timeout()).await;
    assert_eq!(result, [0, 2, 4, 6, 8, 10]);
    assert_eq!(runner.timeout_duration(), Some(Duration::from_secs(3)));
}

// --- helpers that take the plain context ---------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Note {
    text: String,
}

/// A helper that only needs the run's context, not the step's.
fn note(ctx: &Context<Helped>, text: &str) {
    ctx.write_event_to_stream(Note { text: text.into() });
}

struct Helped;

workflow! {
    impl Helped {
        #[step]
        async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<RunId> {
            note(ctx, "from a helper");
            StopEvent::new(ctx.run_id())
        }
    }
}

#[tokio::test]
async fn a_helper_taking_the_plain_context_can_write_to_the_stream() {
    let mut handler = Helped.runner().run(StartEvent::new());
    let run_id = handler.run_id();
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), run_id);
    let first = events.next().await.unwrap();
    assert_eq!(first.downcast_ref::<Note>().unwrap().text, "from a helper");
}
