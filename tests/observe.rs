//! Observer events (`Runner::expose_internal`): absent by default; when
//! exposed, each step's start and end in order with what steps write, the
//! produced events attributed to the invocation that produced them, exact
//! durations, failures and panics, and the idle run before a stall.

use std::time::Duration;

use tokio::sync::Notify;
use typed_workflows::observe::*;
use typed_workflows::prelude::*;
use typed_workflows::{EventStream, WorkflowFailedEvent};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Progress {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Handoff {
    n: u32,
}

/// Bounds the wait for the end of a stream: it only turns a stream that never
/// ends into a failure rather than a hang; no test waits for it to pass.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Reads the stream to its end.
async fn read_all(events: &mut EventStream) -> Vec<AnyEvent> {
    let read = tokio::time::timeout(HANG_GUARD, async {
        let mut all = Vec::new();
        while let Some(event) = events.next().await {
            all.push(event);
        }
        all
    });
    read.await.expect("the stream ended")
}

fn names(events: &[AnyEvent]) -> Vec<&'static str> {
    events.iter().map(AnyEvent::name).collect()
}

fn started(step: &str, event: &str) -> StepStarted {
    StepStarted {
        step: step.into(),
        event: event.into(),
        at: Duration::ZERO,
    }
}

fn finished(step: &str, event: &str, duration: Duration, produced: &[&str]) -> StepFinished {
    StepFinished {
        step: step.into(),
        event: event.into(),
        duration,
        at: Duration::ZERO,
        produced: produced.iter().map(|name| (*name).to_owned()).collect(),
        written: Vec::new(),
        received: Vec::new(),
    }
}

fn failed(step: &str, event: &str, error: &str) -> StepFailed {
    StepFailed {
        step: step.into(),
        event: event.into(),
        duration: Duration::ZERO,
        at: Duration::ZERO,
        error: error.into(),
    }
}

/// `event` with the time it carries set to zero, if it is a step's observer
/// event: the times are checked on their own
/// (`each_step_event_carries_when_it_happened`).
fn untimed(event: &AnyEvent) -> AnyEvent {
    if let Some(started) = event.downcast_ref::<StepStarted>() {
        return AnyEvent::new(StepStarted {
            at: Duration::ZERO,
            ..started.clone()
        });
    }
    if let Some(finished) = event.downcast_ref::<StepFinished>() {
        return AnyEvent::new(StepFinished {
            at: Duration::ZERO,
            ..finished.clone()
        });
    }
    if let Some(failed) = event.downcast_ref::<StepFailed>() {
        return AnyEvent::new(StepFailed {
            at: Duration::ZERO,
            ..failed.clone()
        });
    }
    event.clone()
}

/// Checks that `event` is the `E` expected, but for the time it carries.
#[track_caller]
fn assert_is<E: Event + PartialEq>(event: &AnyEvent, expected: E) {
    assert_eq!(
        untimed(event).downcast_ref::<E>(),
        Some(&expected),
        "{event:?}"
    );
}

// --- two steps: a write, a sent event ------------------------------------------

struct TwoSteps;

workflow! {
    impl TwoSteps {
        #[step(sends(Handoff), writes(Progress))]
        async fn first(&self, ctx: &Context<Self>, _ev: StartEvent) {
            ctx.write_event_to_stream(Progress { n: 1 });
            ctx.send_event(Handoff { n: 2 });
        }

        #[step]
        async fn second(&self, ev: Handoff) -> StopEvent<u32> {
            StopEvent::new(ev.n)
        }
    }
}

#[tokio::test]
async fn by_default_the_stream_holds_only_what_steps_wrote() {
    let mut handler = TwoSteps.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 2);
    assert_eq!(
        names(&read_all(&mut events).await),
        ["Progress", "StopEvent"]
    );
}

#[tokio::test(start_paused = true)]
async fn exposed_each_step_is_framed_by_its_start_and_end_in_order_with_its_writes() {
    let mut handler = TwoSteps
        .runner()
        .expose_internal(true)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 2);
    let events = read_all(&mut events).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "Progress",
            "StepFinished",
            "StepStarted",
            "StepFinished",
            "StopEvent",
        ]
    );
    assert_is(&events[0], started("first", "StartEvent"));
    assert_is(&events[1], Progress { n: 1 });
    assert_is(
        &events[2],
        StepFinished {
            written: vec!["Progress".into()],
            ..finished("first", "StartEvent", Duration::ZERO, &["Handoff"])
        },
    );
    assert_is(&events[3], started("second", "Handoff"));
    assert_is(
        &events[4],
        finished("second", "Handoff", Duration::ZERO, &["StopEvent"]),
    );
    assert_is(&events[5], StopEvent::new(2_u32));
}

#[tokio::test]
async fn observer_events_carry_their_json() {
    let finished = AnyEvent::new(StepFinished {
        written: vec!["Progress".into()],
        ..finished(
            "first",
            "StartEvent",
            Duration::from_millis(1_500),
            &["Handoff"],
        )
    });
    assert_eq!(
        finished.to_json().unwrap(),
        serde_json::json!({
            "step": "first",
            "event": "StartEvent",
            "duration": { "secs": 1, "nanos": 500_000_000 },
            "at": { "secs": 0, "nanos": 0 },
            "produced": ["Handoff"],
            "written": ["Progress"],
            "received": [],
        })
    );
    assert_eq!(
        AnyEvent::new(RunIdle {
            waiting: vec!["ask".into()]
        })
        .to_json()
        .unwrap(),
        serde_json::json!({ "waiting": ["ask"] })
    );
}

// --- durations ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Rested;

struct Sleepy;

workflow! {
    impl Sleepy {
        #[step]
        async fn nap(&self, _ev: StartEvent) -> Rested {
            tokio::time::sleep(Duration::from_millis(250)).await;
            Rested
        }

        #[step]
        async fn wake(&self, _ev: Rested) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_duration_runs_from_the_first_poll_to_completion() {
    let mut handler = Sleepy.runner().expose_internal(true).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    handler.await.unwrap();
    let events = read_all(&mut events).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "StepFinished",
            "StopEvent",
        ]
    );
    assert_is(
        &events[1],
        finished("nap", "StartEvent", Duration::from_millis(250), &["Rested"]),
    );
    assert_is(
        &events[3],
        finished("wake", "Rested", Duration::ZERO, &["StopEvent"]),
    );
}

#[tokio::test(start_paused = true)]
async fn each_step_event_carries_when_it_happened() {
    let mut handler = Sleepy.runner().expose_internal(true).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    handler.await.unwrap();
    let events = read_all(&mut events).await;
    let at = |nth: usize| {
        let event = &events[nth];
        event
            .downcast_ref::<StepStarted>()
            .map(|started| started.at)
            .or_else(|| {
                event
                    .downcast_ref::<StepFinished>()
                    .map(|finished| finished.at)
            })
            .unwrap_or_else(|| panic!("not a step's start or end: {event:?}"))
    };
    // Counted from the start of the run by tokio's clock, which is paused.
    let ms = Duration::from_millis;
    assert_eq!(
        [at(0), at(1), at(2), at(3)],
        [ms(0), ms(250), ms(250), ms(250)]
    );
}

// --- concurrent invocations -----------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Job {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Left;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Right;

/// Two invocations of `work` interleave: job 0 sends `Left` and waits for
/// job 1, which sends `Right` and lets it go.
struct Interleaved {
    gate: Notify,
}

workflow! {
    impl Interleaved {
        #[step(sends(Job))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
            ctx.send_event(Job { n: 0 });
            ctx.send_event(Job { n: 1 });
        }

        #[step(sends(Left, Right))]
        async fn work(&self, ctx: &Context<Self>, job: Job) -> Option<StopEvent<u32>> {
            if job.n == 0 {
                ctx.send_event(Left);
                self.gate.notified().await;
                Some(StopEvent::new(0))
            } else {
                ctx.send_event(Right);
                self.gate.notify_one();
                None
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn what_an_invocation_produced_is_its_own_sent_events_then_its_returned_ones() {
    let mut handler = Interleaved {
        gate: Notify::new(),
    }
    .runner()
    .expose_internal(true)
    .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 0);
    let events = read_all(&mut events).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "Left",
            "StepStarted",
            "Right",
            "StepFinished",
            "StepFinished",
            "StopEvent",
        ]
    );
    assert_is(
        &events[1],
        finished("begin", "StartEvent", Duration::ZERO, &["Job", "Job"]),
    );
    assert_is(
        &events[6],
        finished("work", "Job", Duration::ZERO, &["Right"]),
    );
    assert_is(
        &events[7],
        finished("work", "Job", Duration::ZERO, &["Left", "StopEvent"]),
    );
}

// --- failures -----------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Work {
    n: u32,
}

struct Fails {
    panics: bool,
}

workflow! {
    impl Fails {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Work {
            Work { n: 7 }
        }

        #[step(writes(Progress))]
        async fn explode(&self, ctx: &Context<Self>, ev: Work) -> Result<StopEvent<u32>> {
            ctx.write_event_to_stream(Progress { n: ev.n });
            if self.panics {
                panic!("kaboom at {}", ev.n);
            }
            anyhow::bail!("boom at {}", ev.n)
        }
    }
}

/// The events of a run of `Fails` with observer events exposed, and how the
/// run ended.
async fn run_failing(panics: bool) -> (Vec<AnyEvent>, WorkflowError) {
    let mut handler = Fails { panics }
        .runner()
        .expose_internal(true)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let error = handler.await.unwrap_err();
    (read_all(&mut events).await, error)
}

#[tokio::test(start_paused = true)]
async fn a_failing_step_gives_step_failed_with_the_error_and_the_stream_ends() {
    let (events, error) = run_failing(false).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "Progress",
            "StepFailed",
            "WorkflowFailedEvent",
        ]
    );
    assert_is(
        &events[1],
        finished("begin", "StartEvent", Duration::ZERO, &["Work"]),
    );
    assert_is(&events[2], started("explode", "Work"));
    assert_is(&events[4], failed("explode", "Work", "boom at 7"));
    assert!(
        matches!(
            error,
            WorkflowError::StepFailed {
                step: "explode",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_panicking_step_gives_step_failed_with_the_panic_message_and_the_stream_ends() {
    let (events, error) = run_failing(true).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "Progress",
            "StepFailed",
            "WorkflowFailedEvent",
        ]
    );
    assert_is(&events[4], failed("explode", "Work", "kaboom at 7"));
    assert!(
        matches!(
            error,
            WorkflowError::StepPanicked {
                step: "explode",
                ..
            }
        ),
        "{error:?}"
    );
}

// --- a stall --------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fork;

struct Stalls;

workflow! {
    impl Stalls {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fork {
            Fork
        }

        #[step]
        async fn maybe(&self, _ev: Fork) -> Option<StopEvent<u32>> {
            None
        }

        #[step]
        async fn perhaps(&self, _ev: Fork) -> Result<Option<StopEvent<u32>>> {
            Ok(None)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_run_says_so_before_it_stalls() {
    let mut handler = Stalls.runner().expose_internal(true).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let error = handler.await.unwrap_err();
    assert!(matches!(error, WorkflowError::Stalled { .. }), "{error:?}");
    let events = read_all(&mut events).await;
    assert_eq!(
        names(&events),
        [
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "StepFinished",
            "StepStarted",
            "StepFinished",
            "RunIdle",
            "WorkflowFailedEvent",
        ]
    );
    assert_is(
        &events[1],
        finished("begin", "StartEvent", Duration::ZERO, &["Fork"]),
    );
    assert_is(&events[3], finished("maybe", "Fork", Duration::ZERO, &[]));
    assert_is(&events[5], finished("perhaps", "Fork", Duration::ZERO, &[]));
    assert_is(&events[6], RunIdle { waiting: vec![] });
}

#[tokio::test]
async fn by_default_failures_and_stalls_publish_no_observer_event() {
    let mut handler = Fails { panics: false }.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert!(handler.await.is_err());
    assert_eq!(
        names(&read_all(&mut events).await),
        ["Progress", "WorkflowFailedEvent"]
    );

    let mut handler = Fails { panics: true }.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert!(handler.await.is_err());
    assert_eq!(
        names(&read_all(&mut events).await),
        ["Progress", "WorkflowFailedEvent"]
    );

    let mut handler = Stalls.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert!(handler.await.is_err());
    let events = read_all(&mut events).await;
    assert_eq!(names(&events), ["WorkflowFailedEvent"]);
    let stalled = WorkflowFailedEvent {
        step: None,
        event: None,
        error: "the run stalled: no step is running and no event is queued, but no stop event was produced (the last step to finish was `perhaps`)".into(),
    };
    assert_is(&events[0], stalled);
}

// --- a write from a helper -----------------------------------------------------

/// A helper that takes the plain context: what it writes is not declared.
fn report(ctx: &Context<Helped>, n: u32) {
    ctx.write_event_to_stream(Progress { n });
}

struct Helped;

workflow! {
    impl Helped {
        #[step]
        async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
            report(ctx, 3);
            StopEvent::new(3)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_write_from_a_helper_counts_for_the_step_that_called_it() {
    let mut handler = Helped.runner().expose_internal(true).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 3);
    let events = read_all(&mut events).await;
    assert_eq!(
        names(&events),
        ["StepStarted", "Progress", "StepFinished", "StopEvent"]
    );
    assert_is(
        &events[2],
        StepFinished {
            written: vec!["Progress".into()],
            ..finished("only", "StartEvent", Duration::ZERO, &["StopEvent"])
        },
    );
}
