//! Snapshot and resume, as a LlamaIndex user writes them: a run written
//! down as JSON, everything dropped, and the run going on from the JSON in
//! a new runner.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use typed_workflows::prelude::*;
use typed_workflows::{
    HumanResponseEvent, InputRequiredEvent, ResumeError, RetryPolicy, RunSnapshot, SnapshotError,
};

/// A snapshot through its JSON text, as it would be written to a file.
fn through_json(snapshot: &RunSnapshot) -> RunSnapshot {
    let text = serde_json::to_string(snapshot).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Ask;

#[workflow_impl]
impl Ask {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, start: StartEvent) -> Result<StopEvent<String>> {
        let greeting: String = start.get("greeting")?;
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "Name? ".into(),
            })
            .await?;
        Ok(StopEvent::new(format!("{greeting}, {}", answer.response)))
    }
}

#[tokio::test]
async fn a_question_suspended_as_json_is_answered_by_a_new_runner() {
    let mut handler = Ask.run(StartEvent::new().with("greeting", "Hello"));
    let run_id = handler.run_id();
    let mut events = handler.stream_events().unwrap();
    let question = events.next().await.unwrap();
    assert!(question.is::<InputRequiredEvent>());
    let json = serde_json::to_string(&handler.suspend().await.unwrap()).unwrap();
    assert!(
        events.next().await.is_none(),
        "the suspended run's stream ends"
    );
    drop(events);

    let snapshot: RunSnapshot = serde_json::from_str(&json).unwrap();
    let mut handler = Ask.runner().resume(snapshot).unwrap();
    assert_eq!(handler.run_id(), run_id, "the same run goes on");
    let mut events = handler.stream_events().unwrap();
    // The step runs again from its top, and asks again.
    assert!(events.next().await.unwrap().is::<InputRequiredEvent>());
    assert_eq!(events.last_sequence(), Some(1), "numbers go on");
    handler
        .send_event(HumanResponseEvent {
            response: "Ada".into(),
        })
        .unwrap();
    assert_eq!(handler.await.unwrap(), "Hello, Ada");
}

#[tokio::test]
async fn an_answer_sent_before_the_snapshot_is_kept_for_the_resumed_wait() {
    let handler = Ask.run(StartEvent::new().with("greeting", "Hi"));
    handler
        .send_event(HumanResponseEvent {
            response: "Bob".into(),
        })
        .unwrap();
    // The run may or may not have looked at the answer yet: either way it
    // is in the snapshot, queued or kept, and the resumed wait takes it.
    let snapshot = through_json(&handler.suspend().await.unwrap());
    let handler = Ask.runner().resume(snapshot).unwrap();
    assert_eq!(handler.await.unwrap(), "Hi, Bob");
}

/// Two steps waiting for answers at once.
struct Pair;

#[event]
struct Left;

#[event]
struct Right;

#[event(input)]
struct Answer {
    to: String,
    text: String,
}

#[event]
struct Half {
    text: String,
}

#[workflow_impl]
impl Pair {
    #[step(sends(Right))]
    async fn split(&self, ctx: &Context<Self>, _start: StartEvent) -> Left {
        ctx.send_event(Right);
        Left
    }

    #[step(waits_for(Answer))]
    async fn left(&self, ctx: &Context<Self>, _ev: Left) -> Result<Half> {
        let answer = ctx
            .wait_for_event::<Answer>()
            .matching(|answer| answer.to == "left")
            .await?;
        Ok(Half { text: answer.text })
    }

    #[step(waits_for(Answer))]
    async fn right(&self, ctx: &Context<Self>, _ev: Right) -> Result<Half> {
        let answer = ctx
            .wait_for_event::<Answer>()
            .matching(|answer| answer.to == "right")
            .await?;
        Ok(Half { text: answer.text })
    }

    #[step]
    async fn join(&self, ctx: &Context<Self>, half: Half) -> Option<StopEvent<Vec<String>>> {
        let both = ctx.collect_events(half, 2)?;
        let mut texts: Vec<String> = both.into_iter().map(|half| half.text).collect();
        texts.sort();
        Some(StopEvent::new(texts))
    }
}

fn answer(to: &str, text: &str) -> Answer {
    Answer {
        to: to.into(),
        text: text.into(),
    }
}

#[tokio::test]
async fn parallel_waiters_and_a_half_full_collection_survive_a_resume() {
    let mut handler = Pair.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    handler.send_event(answer("left", "L")).unwrap();
    // Once `left` has finished, `join` holds one of its two halves.
    let snapshot = loop {
        let snapshot = handler.snapshot().await.unwrap();
        if !snapshot.collected.is_empty() {
            break snapshot;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(snapshot.collected[0].step, "join");
    assert_eq!(snapshot.in_flight.len(), 1, "{snapshot:#?}");
    assert_eq!(snapshot.in_flight[0].invocation.step, "right");
    handler.cancel();
    while events.next().await.is_some() {}

    let handler = Pair.runner().resume(through_json(&snapshot)).unwrap();
    handler.send_event(answer("right", "R")).unwrap();
    assert_eq!(handler.await.unwrap(), ["L", "R"]);
}

#[tokio::test]
async fn a_snapshot_leaves_the_run_going() {
    let handler = Pair.run(StartEvent::new());
    let snapshot = handler.snapshot().await.unwrap();
    assert_eq!(snapshot.workflow, "Pair");
    handler.send_event(answer("left", "1")).unwrap();
    handler.send_event(answer("right", "2")).unwrap();
    assert_eq!(handler.await.unwrap(), ["1", "2"]);
}

/// A fan-out whose branches wait on a gate, so that a snapshot finds it
/// half gathered.
struct Fan {
    /// Closed for the odd branches until notified; `None` is open.
    gate: Option<Arc<Notify>>,
    runs: Arc<AtomicU32>,
}

#[event]
struct Item {
    n: u32,
}

#[event]
struct Done {
    n: u32,
}

#[workflow_impl]
impl Fan {
    #[step]
    async fn spread(&self, _start: StartEvent) -> Vec<Item> {
        (0..4).map(|n| Item { n }).collect()
    }

    #[step(num_workers = 4)]
    async fn work(&self, item: Item) -> Done {
        self.runs.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = self.gate.as_ref().filter(|_| item.n % 2 == 1) {
            gate.notified().await;
        }
        Done { n: item.n * 10 }
    }

    #[step]
    async fn gather(&self, done: Vec<Done>) -> StopEvent<Vec<u32>> {
        StopEvent::new(done.into_iter().map(|done| done.n).collect())
    }
}

#[tokio::test]
async fn a_half_gathered_fan_out_resumes_and_reruns_only_what_was_in_flight() {
    let runs = Arc::new(AtomicU32::new(0));
    let fan = Fan {
        gate: Some(Arc::new(Notify::new())),
        runs: runs.clone(),
    };
    let handler = fan.run(StartEvent::new());
    // On this one thread, the run has gone as far as it can once it has
    // answered a snapshot: the even branches done, the odd ones waiting.
    let snapshot = through_json(&handler.suspend().await.unwrap());
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    assert_eq!(snapshot.in_flight.len(), 2, "{snapshot:#?}");
    assert_eq!(snapshot.fan_outs.groups.len(), 1);
    assert_eq!(snapshot.fan_outs.groups[0].gathered.len(), 2);

    let runs_after = Arc::new(AtomicU32::new(0));
    let fan = Fan {
        gate: None,
        runs: runs_after.clone(),
    };
    let mut gathered = fan.runner().resume(snapshot).unwrap().await.unwrap();
    gathered.sort_unstable();
    assert_eq!(gathered, [0, 10, 20, 30]);
    assert_eq!(
        runs_after.load(Ordering::SeqCst),
        2,
        "only the two in flight ran again"
    );
}

#[tokio::test(start_paused = true)]
async fn the_time_left_on_the_timeout_carries_over() {
    let handler = Ask
        .runner()
        .timeout(Duration::from_secs(10))
        .run(StartEvent::new().with("greeting", "Hey"));
    tokio::time::sleep(Duration::from_secs(4)).await;
    let snapshot = handler.suspend().await.unwrap();
    let left = snapshot.timeout_left.unwrap();
    assert!(left <= Duration::from_secs(6), "{left:?}");
    let handler = Ask.runner().without_timeout().resume(snapshot).unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    let error = handler.await.unwrap_err();
    assert!(
        matches!(error, typed_workflows::WorkflowError::TimedOut { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_snapshot_of_another_workflow_is_refused() {
    let handler = Ask.run(StartEvent::new().with("greeting", "Yo"));
    let snapshot = handler.suspend().await.unwrap();
    let error = Pair.runner().resume(snapshot).unwrap_err();
    assert_eq!(
        error,
        ResumeError::OtherWorkflow {
            expected: "Pair",
            found: "Ask".into()
        }
    );
}

#[tokio::test]
async fn a_changed_event_is_refused_with_what_changed() {
    let handler = Pair.run(StartEvent::new());
    let mut snapshot = handler.suspend().await.unwrap();
    // As if the snapshot came from a build where `Left` had a field.
    snapshot.fingerprint = "0000000000000000".into();
    snapshot
        .events
        .insert("Left".into(), vec![("side".into(), "String".into())]);
    let error = Pair.runner().resume(snapshot.clone()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the fields of event `Left` changed from (side: String) to ()"
    );
    snapshot.events.remove("Left");
    snapshot.in_flight[0].invocation.step = "lefty".into();
    let error = Pair.runner().resume(snapshot).unwrap_err();
    assert!(
        matches!(error, ResumeError::StepRemoved { ref step } if step == "lefty"),
        "{error}"
    );
}

/// A step that asks two questions in turn, and counts its attempts and
/// its edits of the state.
struct Interview;

#[data]
#[derive(Debug, Default, PartialEq)]
struct Notes {
    edits: u32,
    attempts_seen: Vec<u32>,
}

#[workflow_impl(state = Notes)]
impl Interview {
    #[step(
        waits_for(HumanResponseEvent),
        writes(InputRequiredEvent),
        retry = RetryPolicy::fixed(Duration::ZERO).max_attempts(3)
    )]
    async fn interview(
        &self,
        ctx: &Context<Self>,
        _start: StartEvent,
    ) -> Result<StopEvent<String>> {
        let attempt = ctx.attempt();
        ctx.edit_state(|notes| {
            notes.edits += 1;
            notes.attempts_seen.push(attempt);
        });
        if attempt == 1 {
            anyhow::bail!("the first attempt fails");
        }
        let ask = |prefix: &str| InputRequiredEvent {
            prefix: prefix.into(),
        };
        let name = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(ask("Name? "))
            .await?;
        let city = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(ask("City? "))
            .await?;
        Ok(StopEvent::new(format!(
            "{} from {}",
            name.response, city.response
        )))
    }
}

fn reply(text: &str) -> HumanResponseEvent {
    HumanResponseEvent {
        response: text.into(),
    }
}

#[tokio::test]
async fn a_resumed_step_keeps_its_attempt_its_answers_and_its_state_edits() {
    let mut handler = Interview.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let first = events.next().await.unwrap();
    assert_eq!(
        first.downcast_ref::<InputRequiredEvent>().unwrap().prefix,
        "Name? "
    );
    handler.send_event(reply("Ada")).unwrap();
    let second = events.next().await.unwrap();
    assert_eq!(
        second.downcast_ref::<InputRequiredEvent>().unwrap().prefix,
        "City? "
    );
    let snapshot = through_json(&handler.suspend().await.unwrap());
    drop(events);

    let in_flight = &snapshot.in_flight[0];
    assert_eq!(in_flight.attempt, 2, "{snapshot:#?}");
    assert_eq!(in_flight.answers.len(), 1);
    // The edits of the invocation in flight are kept, so its re-run makes
    // them again.
    assert_eq!(snapshot.state["edits"], 2);

    let mut handler = Interview.runner().resume(snapshot).unwrap();
    let mut events = handler.stream_events().unwrap();
    // The name was answered before the snapshot: the re-run is not asked
    // again, and asks for the city at once.
    let asked = events.next().await.unwrap();
    assert_eq!(
        asked.downcast_ref::<InputRequiredEvent>().unwrap().prefix,
        "City? "
    );
    // The re-run went on with attempt 2, which does not fail, and made its
    // edit again.
    let again = handler.snapshot().await.unwrap();
    assert_eq!(again.state["attempts_seen"], serde_json::json!([1, 2, 2]));
    assert_eq!(again.in_flight[0].answers.len(), 1);
    handler.send_event(reply("Paris")).unwrap();
    assert_eq!(handler.await.unwrap(), "Ada from Paris");
}

/// Writes numbered ticks, and waits for a go-ahead halfway.
struct Ticker;

#[event]
struct Tick {
    n: u32,
}

#[workflow_impl]
impl Ticker {
    #[step(writes(Tick), waits_for(HumanResponseEvent))]
    async fn tick(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<u32>> {
        for n in 0..3 {
            ctx.write_event_to_stream(Tick { n });
        }
        ctx.wait_for_event::<HumanResponseEvent>().await?;
        for n in 3..6 {
            ctx.write_event_to_stream(Tick { n });
        }
        Ok(StopEvent::new(6))
    }
}

#[tokio::test]
async fn stream_numbers_go_on_across_a_resume_with_no_gap() {
    let mut handler = Ticker.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let mut numbers = Vec::new();
    for _ in 0..3 {
        events.next().await.unwrap();
        numbers.push(events.last_sequence().unwrap());
    }
    let snapshot = handler.suspend().await.unwrap();
    assert_eq!(snapshot.next_sequence, 3);
    assert!(events.next().await.is_none());

    // The step runs again from its top: its first three ticks come again,
    // with new numbers, then the rest.
    let mut handler = Ticker.runner().resume(snapshot).unwrap();
    let mut events = handler.stream_events().unwrap();
    handler.send_event(reply("go")).unwrap();
    while events.next().await.is_some() {
        numbers.push(events.last_sequence().unwrap());
    }
    // 3 ticks, 3 again from the re-run, 3 more, and the stop event.
    assert_eq!(numbers, (0..10).collect::<Vec<u64>>());
    assert_eq!(handler.await.unwrap(), 6);
}

#[tokio::test]
async fn a_snapshot_taken_after_the_caller_stopped_reading_resumes() {
    let mut handler = Ticker.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    events.next().await.unwrap();
    // The caller reads one tick of three, then lets the stream go.
    drop(events);
    let snapshot = through_json(&handler.suspend().await.unwrap());
    assert_eq!(snapshot.next_sequence, 3, "the unread ticks were numbered");
    let mut handler = Ticker.runner().resume(snapshot).unwrap();
    let mut events = handler.stream_events().unwrap();
    handler.send_event(reply("go")).unwrap();
    let mut first = None;
    while events.next().await.is_some() {
        first = first.or(events.last_sequence());
    }
    assert_eq!(first, Some(3));
    assert_eq!(handler.await.unwrap(), 6);
}

#[tokio::test]
async fn a_snapshot_of_a_changed_but_compatible_build_resumes() {
    let handler = Ask.run(StartEvent::new().with("greeting", "Ciao"));
    let mut snapshot = handler.suspend().await.unwrap();
    // As if taken by a build with another step or event elsewhere: the
    // fingerprints differ, and everything the snapshot holds still fits.
    snapshot.fingerprint = "0123456789abcdef".into();
    let handler = Ask.runner().resume(snapshot).unwrap();
    handler.send_event(reply("Eva")).unwrap();
    assert_eq!(handler.await.unwrap(), "Ciao, Eva");
}

/// Each kind of incompatible change, made to a snapshot as the older build
/// would have written it, with the message that names it.
#[tokio::test]
async fn each_incompatible_change_is_refused_with_its_message() {
    let handler = Pair.run(StartEvent::new());
    let mut original = handler.suspend().await.unwrap();
    original.fingerprint = "0000000000000000".into();
    let refused = |change: &dyn Fn(&mut RunSnapshot)| {
        let mut snapshot = original.clone();
        change(&mut snapshot);
        Pair.runner().resume(snapshot).unwrap_err().to_string()
    };
    assert_eq!(
        refused(&|snapshot| snapshot.in_flight[0].invocation.step = "gone".into()),
        "step `gone` has work in the snapshot but the workflow has no step of that name: restore it, or finish the run with the old build"
    );
    assert_eq!(
        refused(&|snapshot| {
            snapshot.events.insert("Lefty".into(), Vec::new());
        }),
        "event `Lefty` is in the snapshot but no step of the workflow uses an event of that name: if the type was renamed, keep its old name with `#[event(name = \"Lefty\")]`"
    );
    assert_eq!(
        refused(&|snapshot| {
            let left = &mut snapshot.in_flight[0].invocation;
            let step = if left.step == "left" { "right" } else { "left" };
            left.step = step.into();
        }),
        format!(
            "step `{}` has an invocation in the snapshot with `{}`, which it no longer takes",
            if original.in_flight[0].invocation.step == "left" {
                "right"
            } else {
                "left"
            },
            original.in_flight[0].invocation.events[0].name
        )
    );
    assert_eq!(
        refused(&|snapshot| snapshot.state_type = "app::OldState".into()),
        "the state type changed from `app::OldState` to `()`"
    );
    assert_eq!(
        refused(&|snapshot| snapshot.version = 99),
        "the snapshot has format version 99; this version reads 1"
    );
}

#[tokio::test]
async fn an_event_that_no_longer_decodes_is_refused() {
    let handler = Ask.run(StartEvent::new().with("greeting", "Hej"));
    handler.send_event(reply("Ida")).unwrap();
    let mut snapshot = handler.suspend().await.unwrap();
    let unclaimed = snapshot
        .inbox
        .first_mut()
        .map(|sent| &mut sent.event)
        .or_else(|| {
            snapshot
                .queued
                .first_mut()
                .map(|queued| &mut queued.events[0])
        })
        .or_else(|| {
            snapshot.in_flight[0]
                .answers
                .first_mut()
                .and_then(Option::as_mut)
        })
        .expect("the answer is somewhere in the snapshot");
    let name = unclaimed.name.clone();
    unclaimed.value = serde_json::json!({ "reply": 7 });
    let error = Ask.runner().resume(snapshot).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("event `{name}` in the snapshot does not decode: ")),
        "{error}"
    );
}

/// Ends in its first poll.
struct Quick;

#[workflow_impl]
impl Quick {
    #[step]
    async fn only(&self, _start: StartEvent) -> StopEvent<u32> {
        StopEvent::new(1)
    }
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_asked_of_a_run_that_ends_first_says_so() {
    // Asked before the run's first poll, which ends it: the request is
    // answered with the run's end, and the run keeps its result. The
    // paused clock makes a request left waiting fail at once.
    let handler = Quick.run(StartEvent::new());
    let asked = tokio::time::timeout(Duration::from_secs(60), handler.snapshot()).await;
    assert_eq!(
        asked.expect("a snapshot of a run that ended is answered"),
        Err(SnapshotError::RunEnded)
    );
    let asked = tokio::time::timeout(Duration::from_secs(60), handler.suspend()).await;
    assert_eq!(asked.expect("answered"), Err(SnapshotError::RunEnded));
    assert_eq!(handler.await.unwrap(), 1);
}
