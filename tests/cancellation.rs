//! Dropping or cancelling a handler stops every task of the run: each running
//! step is dropped at its await point and never resumes, the workflow value
//! the run borrowed is released, and the stream ends.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use typed_workflows::prelude::*;

/// Sends on its channel when dropped.
struct DropSignal(Option<oneshot::Sender<()>>);

impl DropSignal {
    fn new() -> (Self, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        (Self(Some(tx)), rx)
    }
}

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fork;

/// What the test watches; shared with the test, outliving the workflow.
#[derive(Default)]
struct Probe {
    /// How many steps have reached their await point.
    parked: AtomicUsize,
    parked_notify: Notify,
    /// Set by a step that got past its await point.
    resumed: AtomicBool,
    /// The gate the steps wait on; the test opens it after the drop.
    gate: Notify,
}

struct Parks {
    probe: Arc<Probe>,
    /// One guard receiver per step, taken by the step.
    guards: Mutex<Vec<DropSignal>>,
    /// Dropped with the workflow value: when the runner and the run are gone.
    _workflow_dropped: DropSignal,
}

impl Parks {
    async fn park(&self) {
        let _guard = self.guards.lock().unwrap().pop().expect("a guard per step");
        self.probe.parked.fetch_add(1, Ordering::SeqCst);
        self.probe.parked_notify.notify_one();
        self.probe.gate.notified().await;
        self.probe.resumed.store(true, Ordering::SeqCst);
    }
}

workflow! {
    impl Parks {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fork {
            Fork
        }

        #[step]
        async fn left(&self, _ev: Fork) -> StopEvent<u32> {
            self.park().await;
            StopEvent::new(1)
        }

        #[step]
        async fn right(&self, _ev: Fork) -> StopEvent<u32> {
            self.park().await;
            StopEvent::new(2)
        }
    }
}

struct Setup {
    runner: Runner<Parks>,
    probe: Arc<Probe>,
    step_guards: Vec<oneshot::Receiver<()>>,
    workflow_dropped: oneshot::Receiver<()>,
}

fn setup() -> Setup {
    let probe = Arc::new(Probe::default());
    let (left, left_rx) = DropSignal::new();
    let (right, right_rx) = DropSignal::new();
    let (workflow, workflow_dropped) = DropSignal::new();
    let runner = Parks {
        probe: probe.clone(),
        guards: Mutex::new(vec![left, right]),
        _workflow_dropped: workflow,
    }
    .runner()
    .without_timeout();
    Setup {
        runner,
        probe,
        step_guards: vec![left_rx, right_rx],
        workflow_dropped,
    }
}

/// Waits until both parallel steps are parked at their await point.
async fn both_parked(probe: &Probe) {
    while probe.parked.load(Ordering::SeqCst) < 2 {
        probe.parked_notify.notified().await;
    }
}

/// Waits until every step guard and the workflow value are dropped, then
/// checks that no step got past its await point.
async fn assert_released(
    probe: &Probe,
    step_guards: Vec<oneshot::Receiver<()>>,
    workflow_dropped: oneshot::Receiver<()>,
) {
    for guard in step_guards {
        guard.await.expect("the step's guard was dropped");
    }
    workflow_dropped
        .await
        .expect("the workflow value was dropped");
    assert!(
        !probe.resumed.load(Ordering::SeqCst),
        "a step resumed after its run was dropped"
    );
}

#[tokio::test]
async fn dropping_the_handler_mid_run_drops_every_running_step() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let handler = runner.run(StartEvent::new());
    both_parked(&probe).await;
    drop(handler);
    drop(runner);
    // Were a step still alive, this would let it resume.
    probe.gate.notify_waiters();
    probe.gate.notify_one();
    assert_released(&probe, step_guards, workflow_dropped).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handler_on_a_multi_thread_runtime_drops_every_running_step() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let handler = runner.run(StartEvent::new());
    both_parked(&probe).await;
    // On this runtime the run's task may still be inside the poll in which
    // the steps signalled, and an abort takes effect when that poll ends; so
    // the gate stays shut here (the one-thread test above opens it), and the
    // waits are bounded so that a run that is never dropped fails the test.
    drop(handler);
    drop(runner);
    tokio::time::timeout(
        Duration::from_secs(60),
        assert_released(&probe, step_guards, workflow_dropped),
    )
    .await
    .expect("the run was dropped");
}

#[tokio::test]
async fn dropping_the_handler_ends_the_stream() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    both_parked(&probe).await;
    drop(handler);
    // The time limit only turns a stream that never ends into a failure.
    let guard = Duration::from_secs(60);
    let last = tokio::time::timeout(guard, events.next()).await;
    let last = last.expect("the stream went on").expect("a last event");
    assert!(
        last.is::<typed_workflows::WorkflowCancelledEvent>(),
        "{last:?}"
    );
    let end = tokio::time::timeout(guard, events.next()).await;
    assert!(matches!(end, Ok(None)), "the stream did not end: {end:?}");
    drop(runner);
    assert_released(&probe, step_guards, workflow_dropped).await;
}

#[tokio::test]
async fn cancel_drops_every_running_step() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let handler = runner.run(StartEvent::new());
    both_parked(&probe).await;
    handler.cancel();
    probe.gate.notify_waiters();
    probe.gate.notify_one();
    for guard in step_guards {
        guard.await.expect("the step's guard was dropped");
    }
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
    drop(runner);
    workflow_dropped
        .await
        .expect("the workflow value was dropped");
    assert!(!probe.resumed.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_run_that_finished_releases_everything() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let handler = runner.run(StartEvent::new());
    both_parked(&probe).await;
    // Lets one step go on: it stops the run, and the other is dropped.
    probe.gate.notify_one();
    let result = handler.await.unwrap();
    assert!(result == 1 || result == 2);
    drop(runner);
    for guard in step_guards {
        guard.await.expect("the step's guard was dropped");
    }
    workflow_dropped
        .await
        .expect("the workflow value was dropped");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_drops_every_running_step() {
    let Setup {
        runner,
        probe,
        step_guards,
        workflow_dropped,
    } = setup();
    let runner = runner.timeout(Duration::from_secs(5));
    let handler = runner.run(StartEvent::new());
    let error = handler.await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::TimedOut { active_steps, .. } if *active_steps == ["left", "right"]),
        "{error:?}"
    );
    probe.gate.notify_waiters();
    probe.gate.notify_one();
    drop(runner);
    assert_released(&probe, step_guards, workflow_dropped).await;
}

// --- a failing step takes the others down with it ---------------------------------------

struct FailsWhileParked {
    guard: Mutex<Option<DropSignal>>,
    parked: Notify,
    never: Notify,
    resumed: AtomicBool,
}

workflow! {
    impl FailsWhileParked {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fork {
            Fork
        }

        #[step]
        async fn parked(&self, _ev: Fork) -> StopEvent<u32> {
            let _guard = self.guard.lock().unwrap().take();
            self.parked.notify_one();
            self.never.notified().await;
            self.resumed.store(true, Ordering::SeqCst);
            StopEvent::new(1)
        }

        #[step]
        async fn fails(&self, _ev: Fork) -> Result<StopEvent<u32>> {
            self.parked.notified().await;
            anyhow::bail!("failed while the other step was parked")
        }
    }
}

#[tokio::test]
async fn a_failing_step_drops_the_other_running_steps() {
    let (guard, mut guard_dropped) = DropSignal::new();
    let runner = FailsWhileParked {
        guard: Mutex::new(Some(guard)),
        parked: Notify::new(),
        never: Notify::new(),
        resumed: AtomicBool::new(false),
    }
    .runner()
    .without_timeout();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    assert!(
        matches!(error, WorkflowError::StepFailed { step: "fails", .. }),
        "{error:?}"
    );
    // The run's task is over, so the parked step is gone already.
    assert_eq!(guard_dropped.try_recv(), Ok(()));
    runner.workflow().never.notify_one();
    assert!(!runner.workflow().resumed.load(Ordering::SeqCst));
}

// --- cancelled at any point, the stream still says why it ended --------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop {
    left: u32,
}

/// A few hops, each yielding to the runtime, so that a cancellation can land
/// before the run's task first runs, between its steps or inside one.
struct Hops;

workflow! {
    impl Hops {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Hop {
            Hop { left: 3 }
        }

        #[step]
        async fn hop(&self, ev: Hop) -> OneOfHop {
            tokio::task::yield_now().await;
            match ev.left {
                0 => OneOfHop::Done(StopEvent::new(())),
                left => OneOfHop::Again(Hop { left: left - 1 }),
            }
        }
    }
}

#[derive(OneOf)]
enum OneOfHop {
    Again(Hop),
    Done(StopEvent<()>),
}

/// A small deterministic generator (xorshift), so that a failure repeats.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[tokio::test]
async fn a_run_cancelled_before_its_task_first_runs_ends_its_stream_with_the_cancellation() {
    let runner = Hops.runner();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    handler.cancel();
    let last = events.next().await.expect("the stream says why it ended");
    assert!(
        last.is::<typed_workflows::WorkflowCancelledEvent>(),
        "{last:?}"
    );
    assert!(events.next().await.is_none());
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));

    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    drop(handler);
    let last = events.next().await.expect("the stream says why it ended");
    assert!(
        last.is::<typed_workflows::WorkflowCancelledEvent>(),
        "{last:?}"
    );
    assert!(events.next().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_cancelled_at_random_points_each_end_their_stream_with_their_terminal_event() {
    let runner = Hops.runner();
    let mut random = Seeded(0x9e37_79b9_7f4a_7c15);
    let (mut cancelled, mut stopped) = (0, 0);
    for _ in 0..100_000 {
        let mut handler = runner.run(StartEvent::new());
        let mut events = handler.stream_events().unwrap();
        for _ in 0..random.below(8) {
            tokio::task::yield_now().await;
        }
        let dropped = random.below(2) == 0;
        let outcome = if dropped {
            drop(handler);
            None
        } else {
            handler.cancel();
            Some(handler.await)
        };
        let mut last = None;
        while let Some(event) = events.next().await {
            last = Some(event);
        }
        let last = last.expect("every stream ends with an event saying why");
        if last.is::<typed_workflows::WorkflowCancelledEvent>() {
            cancelled += 1;
            assert!(outcome.is_none_or(|outcome| matches!(outcome, Err(WorkflowError::Cancelled))));
        } else {
            assert!(last.is::<StopEvent<()>>(), "{last:?}");
            stopped += 1;
            assert!(outcome.is_none_or(|outcome| outcome.is_ok()));
        }
    }
    // Both outcomes were reached, so the points of cancellation were spread.
    assert!(
        cancelled > 0 && stopped > 0,
        "{cancelled} cancelled, {stopped} stopped"
    );
}
