//! Concurrency: runs of one runner are independent, `num_workers` bounds how
//! many invocations of a step overlap within a run, and the steps of one run
//! execute concurrently.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Barrier, Semaphore, mpsc};
use typed_workflows::RunId;
use typed_workflows::prelude::*;

/// Bounds the waits of a test that would otherwise hang on a regression.
/// Nothing here waits for it to pass: it only turns a deadlock into a failure.
const HANG_GUARD: Duration = Duration::from_secs(60);

// --- independent runs ------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Tagged {
    n: u32,
    run: RunId,
    index: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Middle {
    n: u32,
}

struct Independent {
    /// All three runs meet here, so they are in flight at the same time.
    together: Barrier,
}

workflow! {
    impl Independent {
        #[step(writes(Tagged))]
        async fn first(&self, ctx: &Context<Self>, start: StartEvent) -> Result<Middle> {
            let n: u32 = start.get("n")?;
            for index in 0..5 {
                ctx.write_event_to_stream(Tagged { n, run: ctx.run_id(), index });
            }
            self.together.wait().await;
            for index in 5..10 {
                ctx.write_event_to_stream(Tagged { n, run: ctx.run_id(), index });
            }
            Ok(Middle { n })
        }

        #[step]
        async fn second(&self, ctx: &Context<Self>, ev: Middle) -> StopEvent<(u32, RunId)> {
            StopEvent::new((ev.n * 10, ctx.run_id()))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_of_one_runner_stay_independent() {
    let runner = Independent {
        together: Barrier::new(3),
    }
    .runner()
    .timeout(HANG_GUARD);
    let mut runs = Vec::new();
    for n in [1_u32, 2, 3] {
        let mut handler = runner.run(StartEvent::new().with("n", n));
        let events = handler.stream_events().unwrap();
        runs.push((n, handler, events));
    }
    let run_ids: BTreeSet<_> = runs
        .iter()
        .map(|(_, handler, _)| handler.run_id())
        .collect();
    assert_eq!(run_ids.len(), 3, "each run has its own id");

    for (n, handler, mut events) in runs {
        let run_id = handler.run_id();
        let (result, seen_run_id) = handler.await.unwrap();
        assert_eq!(result, n * 10);
        assert_eq!(seen_run_id, run_id);

        let mut tagged = Vec::new();
        while let Some(event) = events.next().await {
            if let Some(event) = event.downcast_ref::<Tagged>() {
                tagged.push(event.clone());
            } else {
                assert!(event.is::<StopEvent<(u32, RunId)>>(), "{event:?}");
            }
        }
        let expected: Vec<_> = (0..10)
            .map(|index| Tagged {
                n,
                run: run_id,
                index,
            })
            .collect();
        assert_eq!(tagged, expected, "run {n} sees its own events only");
    }
}

// --- num_workers ------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Job {
    id: u32,
    total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct JobDone {
    id: u32,
    total: u32,
}

/// The test's grip on the worker step: counts the invocations in flight and
/// holds each one until the test hands out a permit.
struct Gate {
    current: AtomicUsize,
    max: AtomicUsize,
    processed: AtomicUsize,
    entered: mpsc::UnboundedSender<u32>,
    permits: Semaphore,
}

impl Gate {
    fn new() -> (Arc<Self>, mpsc::UnboundedReceiver<u32>) {
        let (entered, entered_rx) = mpsc::unbounded_channel();
        let gate = Self {
            current: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
            processed: AtomicUsize::new(0),
            entered,
            permits: Semaphore::new(0),
        };
        (Arc::new(gate), entered_rx)
    }

    async fn pass(&self, job: &Job) -> JobDone {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        self.entered.send(job.id).unwrap();
        self.permits.acquire().await.unwrap().forget();
        self.current.fetch_sub(1, Ordering::SeqCst);
        self.processed.fetch_add(1, Ordering::SeqCst);
        JobDone {
            id: job.id,
            total: job.total,
        }
    }
}

fn sorted_ids(done: Vec<JobDone>) -> StopEvent<Vec<u32>> {
    let mut ids: Vec<u32> = done.into_iter().map(|done| done.id).collect();
    ids.sort_unstable();
    StopEvent::new(ids)
}

/// A workflow that fans `Job`s out to a gated `work` step with the given
/// `#[step(...)]` options, and gathers what it returns. The options differ
/// between the tests, and step options are literals, hence the macro.
macro_rules! gated_workers {
    ($name:ident, #[step($($options:tt)*)]) => {
        struct $name {
            gate: Arc<Gate>,
        }

        workflow! {
            impl $name {
                #[step(sends(Job))]
                async fn fan_out(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
                    let total: u32 = start.get("jobs")?;
                    for id in 0..total {
                        ctx.send_event(Job { id, total });
                    }
                    Ok(())
                }

                #[step($($options)*)]
                async fn work(&self, job: Job) -> JobDone {
                    self.gate.pass(&job).await
                }

                #[step]
                async fn gather(&self, ctx: &Context<Self>, done: JobDone) -> Option<StopEvent<Vec<u32>>> {
                    let total = done.total as usize;
                    Some(sorted_ids(ctx.collect_events(done, total)?))
                }
            }
        }
    };
}

gated_workers!(ThreeWorkers, #[step(num_workers = 3)]);
gated_workers!(OneWorker, #[step(num_workers = 1)]);
gated_workers!(DefaultWorkers, #[step()]);

/// Runs `jobs` jobs through a worker step limited to `workers`: waits until
/// `workers` invocations are parked at the gate (none can finish before the
/// test hands out permits), then lets every job through, and checks that no
/// more than `workers` were ever in flight and that every job was processed.
async fn check_workers<W>(
    runner: Runner<W>,
    gate: Arc<Gate>,
    mut entered: mpsc::UnboundedReceiver<u32>,
    jobs: u32,
    workers: usize,
) where
    W: Workflow<Start = StartEvent, Stop = StopEvent<Vec<u32>>>,
{
    let handler = runner
        .timeout(HANG_GUARD)
        .run(StartEvent::new().with("jobs", jobs));
    tokio::time::timeout(HANG_GUARD, async {
        for _ in 0..workers {
            entered.recv().await.unwrap();
        }
    })
    .await
    .expect("the step's workers all started");
    assert_eq!(gate.processed.load(Ordering::SeqCst), 0);
    gate.permits.add_permits(jobs as usize);
    let ids = handler.await.unwrap();
    assert_eq!(ids, (0..jobs).collect::<Vec<_>>());
    assert_eq!(gate.processed.load(Ordering::SeqCst), jobs as usize);
    assert_eq!(gate.max.load(Ordering::SeqCst), workers);
    assert_eq!(gate.current.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_workers_3_lets_exactly_three_invocations_overlap() {
    let (gate, entered) = Gate::new();
    let runner = ThreeWorkers { gate: gate.clone() }.runner();
    check_workers(runner, gate, entered, 20, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_workers_1_runs_invocations_one_at_a_time() {
    let (gate, entered) = Gate::new();
    let runner = OneWorker { gate: gate.clone() }.runner();
    check_workers(runner, gate, entered, 10, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_workers_defaults_to_4() {
    let (gate, entered) = Gate::new();
    let runner = DefaultWorkers { gate: gate.clone() }.runner();
    check_workers(runner, gate, entered, 10, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn num_workers_is_per_run() {
    // Two runs of one runner: each may have three invocations in flight,
    // six in all.
    let (gate, mut entered) = Gate::new();
    let runner = ThreeWorkers { gate: gate.clone() }
        .runner()
        .timeout(HANG_GUARD);
    let first = runner.run(StartEvent::new().with("jobs", 5));
    let second = runner.run(StartEvent::new().with("jobs", 5));
    tokio::time::timeout(HANG_GUARD, async {
        for _ in 0..6 {
            entered.recv().await.unwrap();
        }
    })
    .await
    .expect("three workers of each run started");
    assert_eq!(gate.current.load(Ordering::SeqCst), 6);
    gate.permits.add_permits(10);
    assert_eq!(first.await.unwrap(), [0, 1, 2, 3, 4]);
    assert_eq!(second.await.unwrap(), [0, 1, 2, 3, 4]);
    assert_eq!(gate.max.load(Ordering::SeqCst), 6);
}

// --- steps of one run are concurrent ---------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Fork;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Met {
    by: String,
}

struct Rendezvous {
    barrier: Barrier,
}

workflow! {
    impl Rendezvous {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Fork {
            Fork
        }

        #[step]
        async fn left(&self, _ev: Fork) -> Met {
            self.barrier.wait().await;
            Met { by: "left".into() }
        }

        #[step]
        async fn right(&self, _ev: Fork) -> Met {
            self.barrier.wait().await;
            Met { by: "right".into() }
        }

        #[step]
        async fn join(&self, ctx: &Context<Self>, ev: Met) -> Option<StopEvent<Vec<String>>> {
            let met = ctx.collect_events(ev, 2)?;
            let mut by: Vec<String> = met.into_iter().map(|met| met.by).collect();
            by.sort();
            Some(StopEvent::new(by))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_of_one_run_execute_concurrently() {
    let by = Rendezvous {
        barrier: Barrier::new(2),
    }
    .runner()
    .timeout(HANG_GUARD)
    .run(StartEvent::new())
    .await
    .unwrap();
    assert_eq!(by, ["left", "right"]);
}

// --- a run that never waits shares its thread ---------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Spin {
    n: u32,
    limit: u32,
}

#[derive(Debug, OneOf)]
enum SpinNext {
    Again(Spin),
    Done(StopEvent<u32>),
}

struct Spinner {
    iterations: AtomicUsize,
}

workflow! {
    impl Spinner {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Spin> {
            Ok(Spin { n: 0, limit: start.get("limit")? })
        }

        #[step]
        async fn spin(&self, ev: Spin) -> SpinNext {
            self.iterations.fetch_add(1, Ordering::SeqCst);
            if ev.n + 1 < ev.limit {
                SpinNext::Again(Spin { n: ev.n + 1, limit: ev.limit })
            } else {
                SpinNext::Done(StopEvent::new(ev.n + 1))
            }
        }
    }
}

#[tokio::test]
async fn a_long_chain_that_never_waits_lets_other_tasks_run() {
    const LIMIT: u32 = 200_000;
    let runner = Spinner {
        iterations: AtomicUsize::new(0),
    }
    .runner();
    let handler = runner.run(StartEvent::new().with("limit", LIMIT));
    // On this one-thread runtime the run's task goes first; were it never to
    // yield, it would finish all its iterations before this task resumes.
    tokio::task::yield_now().await;
    let seen = runner.workflow().iterations.load(Ordering::SeqCst);
    assert!(
        0 < seen && seen < LIMIT as usize,
        "the run yielded after {seen} iterations"
    );
    assert_eq!(handler.await.unwrap(), LIMIT);
    assert_eq!(
        runner.workflow().iterations.load(Ordering::SeqCst),
        LIMIT as usize
    );
}
