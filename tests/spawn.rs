//! `#[step(spawn)]`: a step whose invocations run as tasks of their own on
//! tokio's worker pool, in parallel, with the guarantees of any other step:
//! cancelling the run aborts them, a panic fails the run naming the step,
//! and what they produce is routed in order and in their branch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use typed_workflows::observe::StepFinished;
use typed_workflows::prelude::*;
use typed_workflows::{WorkflowCancelledEvent, WorkflowFailedEvent};

/// Bounds the waits of a test that would otherwise hang on a regression.
/// Nothing here waits for it to pass: it only turns a deadlock into a failure.
const HANG_GUARD: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Job {
    index: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Done {
    index: usize,
    met: bool,
}

// --- parallelism --------------------------------------------------------------------------

/// A meeting point of threads that block: each waits until `expected` have
/// arrived, or until the hang guard gives up on them.
struct Rendezvous {
    arrived: Mutex<usize>,
    all_in: Condvar,
    expected: usize,
}

impl Rendezvous {
    /// Whether all met.
    fn meet(&self) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_in.notify_all();
        let (arrived, _) = self
            .all_in
            .wait_timeout_while(arrived, HANG_GUARD, |arrived| *arrived < self.expected)
            .unwrap();
        *arrived >= self.expected
    }
}

struct Parallel {
    rendezvous: Rendezvous,
}

workflow! {
    impl Parallel {
        #[step]
        async fn split(&self, _start: StartEvent) -> Vec<Job> {
            (0..2).map(|index| Job { index }).collect()
        }

        /// Blocks its thread until the other invocation blocks its own: only
        /// two invocations running at once on two threads get through.
        #[step(spawn)]
        async fn crunch(&self, job: Job) -> Done {
            Done { index: job.index, met: self.rendezvous.meet() }
        }

        #[step]
        async fn gather(&self, done: Vec<Done>) -> StopEvent<Vec<Done>> {
            StopEvent::new(done)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_invocations_of_one_run_run_on_two_threads_at_once() {
    let workflow = Parallel {
        rendezvous: Rendezvous {
            arrived: Mutex::new(0),
            all_in: Condvar::new(),
            expected: 2,
        },
    };
    let done = workflow
        .runner()
        .without_timeout()
        .run(StartEvent::new())
        .await
        .unwrap();
    let both_met = [
        Done {
            index: 0,
            met: true,
        },
        Done {
            index: 1,
            met: true,
        },
    ];
    assert_eq!(done, both_met, "both invocations were blocked at once");
}

// --- cancellation -------------------------------------------------------------------------

/// Counts live guards; each invocation of the parked step holds one.
#[derive(Default)]
struct Live {
    guards: AtomicUsize,
    started: AtomicUsize,
    changed: Notify,
}

struct Guard(Arc<Live>);

impl Guard {
    fn new(live: &Arc<Live>) -> Self {
        live.guards.fetch_add(1, Ordering::SeqCst);
        live.started.fetch_add(1, Ordering::SeqCst);
        live.changed.notify_waiters();
        Self(live.clone())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.guards.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl Live {
    /// Waits until `check` holds of the counters.
    async fn until(&self, check: impl Fn(&Self) -> bool) {
        loop {
            let changed = self.changed.notified();
            if check(self) {
                return;
            }
            tokio::time::timeout(HANG_GUARD, changed)
                .await
                .expect("the counters change");
        }
    }
}

struct Parks {
    live: Arc<Live>,
}

workflow! {
    impl Parks {
        #[step]
        async fn split(&self, _start: StartEvent) -> Vec<Job> {
            (0..4).map(|index| Job { index }).collect()
        }

        /// Parks forever, holding a guard.
        #[step(spawn)]
        async fn park(&self, _job: Job) -> Done {
            let _guard = Guard::new(&self.live);
            std::future::pending::<()>().await;
            unreachable!("nothing wakes a parked step")
        }

        #[step]
        async fn gather(&self, done: Vec<Done>) -> StopEvent<usize> {
            StopEvent::new(done.len())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_run_aborts_its_spawned_invocations() {
    let live = Arc::new(Live::default());
    let runner = Parks { live: live.clone() }.runner().without_timeout();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    live.until(|live| live.guards.load(Ordering::SeqCst) == 4)
        .await;
    handler.cancel();
    let last = tokio::time::timeout(HANG_GUARD, events.next())
        .await
        .unwrap();
    assert!(last.unwrap().is::<WorkflowCancelledEvent>());
    assert!(events.next().await.is_none());
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
    live.until(|live| live.guards.load(Ordering::SeqCst) == 0)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_dropped_at_any_point_leave_no_spawned_task_behind() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let live = Arc::new(Live::default());
    let runner = Parks { live: live.clone() }.runner().without_timeout();
    for round in 0..1_000_usize {
        // Read before the run starts, which on this runtime may be at once.
        let started = live.started.load(Ordering::SeqCst);
        let handler = runner.run(StartEvent::new());
        // Dropped before the run starts, while it starts its invocations,
        // or once they are all parked.
        match round % 3 {
            0 => {}
            1 => {
                live.until(|live| live.started.load(Ordering::SeqCst) > started)
                    .await
            }
            _ => {
                live.until(|live| live.started.load(Ordering::SeqCst) >= started + 4)
                    .await
            }
        }
        drop(handler);
    }
    live.until(|live| live.guards.load(Ordering::SeqCst) == 0)
        .await;
    // An aborted task ends on its worker just after its future is dropped:
    // this waits for the last of them, yielding, not sleeping.
    let mut yields = 0;
    while metrics.num_alive_tasks() > 0 {
        assert!(
            yields < 1_000_000,
            "{} tasks still alive",
            metrics.num_alive_tasks()
        );
        tokio::task::yield_now().await;
        yields += 1;
    }
}

// --- panics -------------------------------------------------------------------------------

struct Panics;

workflow! {
    impl Panics {
        #[step]
        async fn split(&self, _start: StartEvent) -> Job {
            Job { index: 7 }
        }

        #[step(spawn)]
        async fn crunch(&self, job: Job) -> StopEvent<usize> {
            if job.index == 7 {
                panic!("job {} is cursed", job.index);
            }
            StopEvent::new(job.index)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_spawned_step_fails_the_run_naming_the_step() {
    let mut handler = Panics.runner().timeout(HANG_GUARD).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let last = events.next().await.unwrap();
    let failed = last.downcast_ref::<WorkflowFailedEvent>().unwrap();
    assert_eq!(failed.step.as_deref(), Some("crunch"));
    assert_eq!(failed.event.as_deref(), Some("Job"));
    match handler.await {
        Err(WorkflowError::StepPanicked {
            step,
            event,
            message,
        }) => {
            assert_eq!((step, event), ("crunch", "Job"));
            assert_eq!(message, "job 7 is cursed");
        }
        other => panic!("expected StepPanicked, got {other:?}"),
    }
}

// --- order --------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Part {
    job: usize,
    nth: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Progress {
    job: usize,
}

/// Lets each job finish only after the job after it has: the invocations
/// finish in the reverse of their branches' order.
struct Reversed {
    jobs: usize,
    finished: Vec<Notify>,
}

workflow! {
    impl Reversed {
        #[step]
        async fn split(&self, _start: StartEvent) -> Vec<Job> {
            (0..self.jobs).map(|index| Job { index }).collect()
        }

        /// Sends two parts at once, waits for the next job to finish, and
        /// returns a third part.
        #[step(spawn, num_workers = 8, sends(Part), writes(Progress))]
        async fn crunch(&self, ctx: &Context<Self>, job: Job) -> Part {
            ctx.send_event(Part { job: job.index, nth: 0 });
            ctx.send_event(Part { job: job.index, nth: 1 });
            ctx.write_event_to_stream(Progress { job: job.index });
            if job.index + 1 < self.jobs {
                self.finished[job.index + 1].notified().await;
            }
            self.finished[job.index].notify_one();
            Part { job: job.index, nth: 2 }
        }

        #[step]
        async fn gather(&self, parts: Vec<Part>) -> StopEvent<Vec<Part>> {
            StopEvent::new(parts)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_spawned_step_sends_and_returns_stays_in_its_branch_in_order() {
    const JOBS: usize = 8;
    let workflow = Reversed {
        jobs: JOBS,
        finished: (0..JOBS).map(|_| Notify::new()).collect(),
    };
    let mut handler = workflow
        .runner()
        .timeout(HANG_GUARD)
        .expose_internal(true)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let mut finished = Vec::new();
    while let Some(event) = events.next().await {
        if let Some(step) = event.downcast_ref::<StepFinished>()
            && step.step == "crunch"
        {
            finished.push(step.clone());
        }
    }
    let parts = handler.await.unwrap();
    let expected: Vec<Part> = (0..JOBS)
        .flat_map(|job| (0..3).map(move |nth| Part { job, nth }))
        .collect();
    assert_eq!(parts, expected);
    assert_eq!(finished.len(), JOBS);
    for step in finished {
        assert_eq!(step.produced, ["Part", "Part", "Part"]);
        assert_eq!(step.written, ["Progress"]);
    }
}

// --- the end of the stream ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fork;

struct Busy {
    /// Told once the spawned step is busy.
    busy: Notify,
    /// What the spawned step blocks its thread on.
    release: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    /// Told once it has written, after its release.
    wrote: Mutex<Option<oneshot::Sender<()>>>,
}

workflow! {
    impl Busy {
        #[step]
        async fn begin(&self, _start: StartEvent) -> Fork {
            Fork
        }

        /// Blocks inside its poll until released, then writes.
        #[step(spawn, writes(Progress))]
        async fn busy(&self, ctx: &Context<Self>, _fork: Fork) -> StopEvent<()> {
            self.busy.notify_one();
            let release = self.release.lock().unwrap().take().unwrap();
            tokio::task::block_in_place(|| release.recv().unwrap());
            ctx.write_event_to_stream(Progress { job: 0 });
            let _ = self.wrote.lock().unwrap().take().unwrap().send(());
            std::future::pending::<()>().await;
            unreachable!("the run has ended, and aborts this step at its await")
        }

        #[step]
        async fn finish(&self, _fork: Fork) -> StopEvent<()> {
            self.busy.notified().await;
            StopEvent::new(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_ends_with_the_run_while_a_spawned_step_is_still_in_its_poll() {
    let (release, blocked) = std::sync::mpsc::channel();
    let (wrote, written) = oneshot::channel();
    let workflow = Busy {
        busy: Notify::new(),
        release: Mutex::new(Some(blocked)),
        wrote: Mutex::new(Some(wrote)),
    };
    let mut handler = workflow.runner().timeout(HANG_GUARD).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let stop = tokio::time::timeout(HANG_GUARD, events.next())
        .await
        .unwrap();
    assert!(stop.unwrap().is::<StopEvent<()>>());
    let end = tokio::time::timeout(HANG_GUARD, events.next()).await;
    assert!(
        end.expect("the stream ends while the spawned step still blocks")
            .is_none()
    );
    handler.await.unwrap();
    release.send(()).unwrap();
    written.await.unwrap();
    assert!(
        events.next().await.is_none(),
        "a write after the end is dropped"
    );
}
