//! How runs fail: a step's error or panic, a timeout naming the steps still
//! running, a cancel, a stall, and a panic outside any step.

use std::error::Error as _;
use std::fmt;
use std::time::Duration;

use tokio::sync::Notify;
use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Work {
    n: u32,
}

/// An error type of the user's, returned through `Result<_, QuotaExceeded>`.
#[derive(Debug)]
struct QuotaExceeded {
    limit: u32,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "quota of {} exceeded", self.limit)
    }
}

impl std::error::Error for QuotaExceeded {}

/// What `explode` does with its event.
#[derive(Clone, Copy)]
enum Failure {
    Error,
    TypedError,
    Panic,
    PanicFormatted,
    PanicAny,
}

struct Fails {
    failure: Failure,
}

workflow! {
    impl Fails {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Work {
            Work { n: 7 }
        }

        #[step]
        async fn explode(&self, ev: Work) -> Result<StopEvent<u32>> {
            match self.failure {
                Failure::Error => Err(anyhow::anyhow!("boom at {}", ev.n).context("while exploding")),
                Failure::TypedError => Err(QuotaExceeded { limit: ev.n }.into()),
                Failure::Panic => panic!("kaboom"),
                Failure::PanicFormatted => panic!("kaboom at {}", ev.n),
                Failure::PanicAny => std::panic::panic_any(ev.n),
            }
        }
    }
}

async fn fail(failure: Failure) -> WorkflowError {
    Fails { failure }
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_step_error_fails_the_run_naming_the_step_and_the_event() {
    let error = fail(Failure::Error).await;
    assert_eq!(
        error.to_string(),
        "step `explode` failed while handling `Work`"
    );
    let WorkflowError::StepFailed {
        step,
        event,
        attempts,
        source,
    } = &error
    else {
        panic!("expected StepFailed, got {error:?}");
    };
    assert_eq!(*step, "explode");
    assert_eq!(*event, "Work");
    assert_eq!(
        *attempts, 1,
        "a step without a retry policy is attempted once"
    );
    assert_eq!(format!("{source:#}"), "while exploding: boom at 7");
    // The step's error is the source, so that error reporters print it.
    assert_eq!(error.source().unwrap().to_string(), "while exploding");
    let report = format!("{:#}", anyhow::Error::from(error));
    assert_eq!(
        report,
        "step `explode` failed while handling `Work`: while exploding: boom at 7"
    );
}

#[tokio::test]
async fn a_step_error_of_the_users_own_type_can_be_downcast() {
    let error = fail(Failure::TypedError).await;
    let WorkflowError::StepFailed { source, .. } = &error else {
        panic!("expected StepFailed, got {error:?}");
    };
    assert_eq!(source.downcast_ref::<QuotaExceeded>().unwrap().limit, 7);
    assert_eq!(source.to_string(), "quota of 7 exceeded");
}

struct IoFails;

workflow! {
    impl IoFails {
        #[step]
        async fn read(&self, _ev: StartEvent) -> Result<StopEvent<u32>, std::io::Error> {
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        }
    }
}

#[tokio::test]
async fn a_step_may_return_any_error_type_that_converts_into_anyhow() {
    let error = IoFails.runner().run(StartEvent::new()).await.unwrap_err();
    let WorkflowError::StepFailed {
        step,
        event,
        source,
        ..
    } = &error
    else {
        panic!("expected StepFailed, got {error:?}");
    };
    assert_eq!((*step, *event), ("read", "StartEvent"));
    let io = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(source.to_string(), "no such file");
}

#[tokio::test]
async fn a_step_panic_fails_the_run_with_the_panic_message() {
    let error = fail(Failure::Panic).await;
    let WorkflowError::StepPanicked {
        step,
        event,
        message,
    } = &error
    else {
        panic!("expected StepPanicked, got {error:?}");
    };
    assert_eq!(
        (*step, *event, message.as_str()),
        ("explode", "Work", "kaboom")
    );
    assert_eq!(
        error.to_string(),
        "step `explode` panicked while handling `Work`: kaboom"
    );

    let error = fail(Failure::PanicFormatted).await;
    assert_eq!(
        error.to_string(),
        "step `explode` panicked while handling `Work`: kaboom at 7"
    );

    let error = fail(Failure::PanicAny).await;
    assert!(
        matches!(&error, WorkflowError::StepPanicked { step: "explode", message, .. }
            if message == "a panic with a payload that is not a string"),
        "{error:?}"
    );
}

// --- timeouts ---------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fork;

struct Blocked {
    never: Notify,
}

workflow! {
    impl Blocked {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fork {
            Fork
        }

        #[step]
        async fn quick(&self, _ev: Fork) -> Option<StopEvent<u32>> {
            None
        }

        #[step]
        async fn stuck(&self, _ev: Fork) -> StopEvent<u32> {
            self.never.notified().await;
            StopEvent::new(1)
        }

        #[step]
        async fn also_stuck(&self, _ev: Fork) -> StopEvent<u32> {
            self.never.notified().await;
            StopEvent::new(2)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_names_the_steps_still_running() {
    let start = tokio::time::Instant::now();
    let error = Blocked {
        never: Notify::new(),
    }
    .runner()
    .timeout(Duration::from_secs(5))
    .run(StartEvent::new())
    .await
    .unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    let WorkflowError::TimedOut {
        after,
        active_steps,
    } = &error
    else {
        panic!("expected TimedOut, got {error:?}");
    };
    assert_eq!(*after, Duration::from_secs(5));
    assert_eq!(*active_steps, ["stuck", "also_stuck"]);
    assert_eq!(
        error.to_string(),
        "the run timed out after 5s with steps `stuck`, `also_stuck` still running"
    );
}

struct OneBlocked {
    never: Notify,
}

workflow! {
    impl OneBlocked {
        #[step(sends(Work))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
            for n in 0..3 {
                ctx.send_event(Work { n });
            }
        }

        #[step(num_workers = 3)]
        async fn stuck(&self, _ev: Work) -> StopEvent<u32> {
            self.never.notified().await;
            StopEvent::new(1)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_names_a_step_with_several_invocations_running_once() {
    let error = OneBlocked {
        never: Notify::new(),
    }
    .runner()
    .timeout(Duration::from_millis(1500))
    .run(StartEvent::new())
    .await
    .unwrap_err();
    assert!(
        matches!(&error, WorkflowError::TimedOut { active_steps, .. } if *active_steps == ["stuck"]),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the run timed out after 1.5s with step `stuck` still running"
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_timeout_is_45_seconds() {
    let start = tokio::time::Instant::now();
    let error = OneBlocked {
        never: Notify::new(),
    }
    .runner()
    .run(StartEvent::new())
    .await
    .unwrap_err();
    assert!(
        matches!(error, WorkflowError::TimedOut { after, .. } if after == Duration::from_secs(45))
    );
    assert_eq!(start.elapsed(), Duration::from_secs(45));
}

#[tokio::test(start_paused = true)]
async fn without_timeout_a_run_waits_as_long_as_it_takes() {
    let runner = Parked {
        parked: Notify::new(),
        never: Notify::new(),
    }
    .runner()
    .without_timeout();
    assert_eq!(runner.timeout_duration(), None);
    let handler = runner.run(StartEvent::new());
    runner.workflow().parked.notified().await;
    // An hour goes by on the paused clock; a deadline would have passed, and
    // the run would see it before the step's wake-up below.
    tokio::time::advance(Duration::from_secs(3600)).await;
    runner.workflow().never.notify_one();
    assert_eq!(handler.await.unwrap(), 1);
}

struct LateWaiter {
    never: Notify,
}

workflow! {
    impl LateWaiter {
        #[step]
        async fn work_then_wait(&self, _ev: StartEvent) -> StopEvent<u32> {
            // Three seconds of work before the run first has to wait.
            tokio::time::advance(Duration::from_secs(3)).await;
            self.never.notified().await;
            StopEvent::new(1)
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_timeout_counts_from_the_start_of_the_run_not_from_its_first_wait() {
    let start = tokio::time::Instant::now();
    let error = LateWaiter {
        never: Notify::new(),
    }
    .runner()
    .timeout(Duration::from_secs(5))
    .run(StartEvent::new())
    .await
    .unwrap_err();
    assert!(matches!(error, WorkflowError::TimedOut { .. }), "{error:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[test]
fn a_run_that_waits_with_a_timeout_needs_the_time_driver_and_says_so() {
    let no_timers = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let parks = || Parked {
        parked: Notify::new(),
        never: Notify::new(),
    };
    let error = no_timers
        .block_on(async { parks().runner().run(StartEvent::new()).await })
        .unwrap_err();
    let WorkflowError::RunPanicked { message } = &error else {
        panic!("expected RunPanicked, got {error:?}");
    };
    assert!(message.contains("enable_time"), "{message}");

    let untimed = no_timers.block_on(async {
        let runner = parks().runner().without_timeout();
        let handler = runner.run(StartEvent::new());
        runner.workflow().parked.notified().await;
        runner.workflow().never.notify_one();
        handler.await
    });
    assert_eq!(untimed.unwrap(), 1);
}

// --- cancel ----------------------------------------------------------------------

struct Parked {
    parked: Notify,
    never: Notify,
}

workflow! {
    impl Parked {
        #[step]
        async fn wait(&self, _ev: StartEvent) -> StopEvent<u32> {
            self.parked.notify_one();
            self.never.notified().await;
            StopEvent::new(1)
        }
    }
}

#[tokio::test]
async fn cancel_fails_the_run_with_cancelled() {
    let runner = Parked {
        parked: Notify::new(),
        never: Notify::new(),
    }
    .runner();
    let handler = runner.run(StartEvent::new());
    runner.workflow().parked.notified().await;
    handler.cancel();
    let error = handler.await.unwrap_err();
    assert!(matches!(error, WorkflowError::Cancelled), "{error:?}");
    assert_eq!(error.to_string(), "the run was cancelled");
}

#[tokio::test]
async fn cancel_before_the_run_starts_fails_it_with_cancelled() {
    let runner = Parked {
        parked: Notify::new(),
        never: Notify::new(),
    }
    .runner();
    let handler = runner.run(StartEvent::new());
    handler.cancel();
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
}

#[tokio::test]
async fn cancel_after_the_run_finished_changes_nothing() {
    let runner = Parked {
        parked: Notify::new(),
        never: Notify::new(),
    }
    .runner();
    let mut handler = runner.run(StartEvent::new());
    runner.workflow().parked.notified().await;
    runner.workflow().never.notify_one();
    // Waits for the run's task to end, without consuming the handler.
    while !handler.is_finished() {
        tokio::task::yield_now().await;
    }
    handler.cancel();
    assert_eq!((&mut handler).await.unwrap(), 1);
}

// --- an event whose drop panics as a failed run ends ------------------------------

/// An error that holds a clone of an `Arc`, so that the test can see
/// whether it was dropped.
#[derive(Debug)]
struct Tracked {
    _clone: std::sync::Arc<()>,
}

impl fmt::Display for Tracked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tracked failure")
    }
}

impl std::error::Error for Tracked {}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fail;

/// Panics when dropped while armed.
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Bomb {
    armed: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed {
            panic!("a bomb went off as it was dropped");
        }
    }
}

struct Leftover {
    error: std::sync::Arc<()>,
}

workflow! {
    impl Leftover {
        #[step(sends(Fail, Bomb))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
            // `fail` runs first, and ends the run with `Bomb` still queued.
            ctx.send_event(Fail);
            ctx.send_event(Bomb { armed: true });
        }

        #[step]
        async fn fail(&self, _ev: Fail) -> Result<StopEvent<()>> {
            Err(Tracked {
                _clone: self.error.clone(),
            }
            .into())
        }

        #[step]
        async fn defuse(&self, mut bomb: Bomb) -> StopEvent<()> {
            bomb.armed = false;
            StopEvent::new(())
        }
    }
}

#[tokio::test]
async fn an_event_that_panics_as_a_failed_run_drops_it_leaks_nothing() {
    let runner = Leftover {
        error: std::sync::Arc::new(()),
    }
    .runner();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::RunPanicked { message } if message == "a bomb went off as it was dropped"),
        "{error:?}"
    );
    // The run's task has ended: the step's error, and its clone of the
    // `Arc`, are gone with it.
    assert_eq!(std::sync::Arc::strong_count(&runner.workflow().error), 1);
}

// --- stalls ----------------------------------------------------------------------

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

#[tokio::test]
async fn a_run_where_every_path_returns_none_stalls() {
    let error = Stalls.runner().run(StartEvent::new()).await.unwrap_err();
    let WorkflowError::Stalled { last_step } = &error else {
        panic!("expected Stalled, got {error:?}");
    };
    assert_eq!(*last_step, "perhaps");
    assert_eq!(
        error.to_string(),
        "the run stalled: no step is running and no event is queued, but no stop event was produced (the last step to finish was `perhaps`)"
    );
}

// --- panics outside a step -----------------------------------------------------------

/// An event whose `Clone` panics: broadcasting it to two steps clones it.
#[derive(Debug, Serialize, Deserialize, Event)]
struct Fragile;

impl Clone for Fragile {
    fn clone(&self) -> Self {
        panic!("Fragile cannot be cloned")
    }
}

struct ReturnsFragile;

workflow! {
    impl ReturnsFragile {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fragile {
            Fragile
        }

        #[step]
        async fn one(&self, _ev: Fragile) -> StopEvent<u32> {
            StopEvent::new(1)
        }

        #[step]
        async fn two(&self, _ev: Fragile) -> StopEvent<u32> {
            StopEvent::new(2)
        }
    }
}

#[tokio::test]
async fn a_panic_while_routing_a_returned_event_fails_the_run_with_run_panicked() {
    let mut handler = ReturnsFragile.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let last = events.next().await.unwrap();
    let failed = last
        .downcast_ref::<typed_workflows::WorkflowFailedEvent>()
        .unwrap();
    assert_eq!(
        (failed.step.as_deref(), failed.error.as_str()),
        (
            None,
            "the run panicked outside its steps: Fragile cannot be cloned"
        )
    );
    assert!(events.next().await.is_none());
    let error = handler.await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::RunPanicked { message } if message == "Fragile cannot be cloned"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the run panicked outside its steps: Fragile cannot be cloned"
    );
}

struct SendsFragile;

workflow! {
    impl SendsFragile {
        #[step(sends(Fragile))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
            ctx.send_event(Fragile);
        }

        #[step]
        async fn one(&self, _ev: Fragile) -> StopEvent<u32> {
            StopEvent::new(1)
        }

        #[step]
        async fn two(&self, _ev: Fragile) -> StopEvent<u32> {
            StopEvent::new(2)
        }
    }
}

#[tokio::test]
async fn a_panic_while_sending_an_event_is_a_panic_of_the_sending_step() {
    let error = SendsFragile
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WorkflowError::StepPanicked { step: "begin", event: "StartEvent", message }
            if message == "Fragile cannot be cloned"),
        "{error:?}"
    );
}
