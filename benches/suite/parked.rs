//! *parked*: `count` runs each suspended inside a step, waiting on one gate.
//! Measures what a waiting run holds on to, through a hook called once all
//! of them are parked.
//!
//! Two hand-written versions: bare tasks at the gate (the baseline of
//! issue 6), and hand-written runs with the features a workflow run has
//! (see `hand_run`), whose timeout is armed while they wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, Semaphore};
use typed_workflows::prelude::*;
use typed_workflows::report::{Happening, Report, RunView};
use typed_workflows::store::SqliteStore;
use typed_workflows::{HumanResponseEvent, WorkflowError};

use super::hand_run::{self, HandRun};

/// Where the runs wait, and how the caller learns that all of them do.
struct Gate {
    expected: u64,
    parked: AtomicU64,
    all_parked: Notify,
    open: Semaphore,
}

impl Gate {
    fn new(expected: u64) -> Arc<Self> {
        Arc::new(Self {
            expected,
            parked: AtomicU64::new(0),
            all_parked: Notify::new(),
            open: Semaphore::new(0),
        })
    }

    /// Counts the caller in, then waits until the gate opens.
    async fn pass(&self) {
        if self.parked.fetch_add(1, Ordering::AcqRel) + 1 == self.expected {
            self.all_parked.notify_one();
        }
        self.open
            .acquire()
            .await
            .expect("the gate is never closed")
            .forget();
    }

    /// Waits for every run to park, calls `while_parked`, then opens the gate.
    async fn hold(&self, while_parked: impl FnOnce()) {
        if self.expected > 0 {
            self.all_parked.notified().await;
        }
        while_parked();
        self.open.add_permits(self.expected as usize);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Enter {
    run: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Passed {
    run: u64,
}

struct Parked {
    gate: Arc<Gate>,
}

workflow! {
    impl Parked {
        #[step]
        async fn wait(&self, enter: Enter) -> Passed {
            self.gate.pass().await;
            Passed { run: enter.run }
        }

        #[step]
        async fn finish(&self, passed: Passed) -> StopEvent<u64> {
            StopEvent::new(passed.run)
        }
    }
}

/// `count` workflow runs parked in their first step; `while_parked` is
/// called when all of them are.
pub async fn ours(count: u64, while_parked: impl FnOnce()) {
    let gate = Gate::new(count);
    let runner = Parked { gate: gate.clone() }.runner();
    let handlers: Vec<_> = (0..count).map(|run| runner.run(Enter { run })).collect();
    gate.hold(while_parked).await;
    for (run, handler) in (0..count).zip(handlers) {
        assert_eq!(handler.await.expect("a parked run finishes"), run);
    }
}

/// `count` tasks parked at the same gate; `while_parked` is called when all
/// of them are.
pub async fn by_hand(count: u64, while_parked: impl FnOnce()) {
    let gate = Gate::new(count);
    let tasks: Vec<_> = (0..count)
        .map(|run| {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.pass().await;
                run
            })
        })
        .collect();
    gate.hold(while_parked).await;
    for (run, task) in (0..count).zip(tasks) {
        assert_eq!(task.await.expect("a parked task finishes"), run);
    }
}

/// `count` hand-written runs, each with an event stream, cancellation and
/// a timeout, parked at the same gate; `while_parked` is called when all of
/// them are.
pub async fn hand_runs(count: u64, while_parked: impl FnOnce()) {
    let gate = Gate::new(count);
    let runs: Vec<_> = (0..count)
        .map(|run| {
            let gate = gate.clone();
            let work = async move {
                gate.pass().await;
                run
            };
            HandRun::start(work, hand_run::TIMEOUT)
        })
        .collect();
    gate.hold(while_parked).await;
    for (run, hand_run) in (0..count).zip(runs) {
        assert_eq!(hand_run.finish().await, Ok(run));
    }
}

/// The durable workload's question, from its one step.
struct Asks;

workflow! {
    impl Asks {
        #[step(waits_for(HumanResponseEvent))]
        async fn ask(&self, ctx: &Context<Self>, _enter: Enter) -> Result<StopEvent<String>> {
            let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
            Ok(StopEvent::new(answer.response))
        }
    }
}

/// Counts the runs that park, as their ends: a parked run's task ends
/// with [`WorkflowError::Suspended`] once its record is in the store.
struct CountParked(Arc<Gate>);

impl Report for CountParked {
    fn report(&self, _run: &RunView<'_>, happening: &Happening<'_>) {
        if let Happening::RunEnded(Err(WorkflowError::Suspended)) = happening {
            let gate = &self.0;
            if gate.parked.fetch_add(1, Ordering::AcqRel) + 1 == gate.expected {
                gate.all_parked.notify_one();
            }
        }
    }
}

/// `count` durable runs on an SQLite store, each waiting for a person, with
/// their handlers let go of: each is written out to the store and its task
/// ends. `while_parked` is called when all of them are.
pub async fn durable(count: u64, while_parked: impl FnOnce()) {
    let db = super::durable::TempDb::new("parked");
    let store = SqliteStore::open(db.path()).expect("a new SQLite store opens");
    let gate = Gate::new(count);
    let runner = Asks
        .runner()
        .durable(store)
        .report_to(CountParked(gate.clone()));
    for run in 0..count {
        drop(runner.run(Enter { run }));
    }
    if count > 0 {
        gate.all_parked.notified().await;
    }
    while_parked();
}
