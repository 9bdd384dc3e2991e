//! *snapshot*: a run holding `events` events, queued for a step of one
//! worker whose first invocation waits on a gate, is written down with
//! `handler.snapshot()`, then through JSON and resumed by a new runner until
//! the re-run of the invocation in flight begins. Measures both, per event
//! the run holds.
//!
//! By hand: the same events as a `Vec`, written as JSON with serde_json, and
//! read back: the floor of writing them down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};
use typed_workflows::RunSnapshot;
use typed_workflows::prelude::*;

/// The two phases of one measurement.
pub struct Phases {
    /// Ours: `handler.snapshot()`. By hand: `serde_json::to_string`.
    pub write: Duration,
    /// Ours: to JSON, from JSON and `resume` until the first step begins.
    /// By hand: to JSON and from JSON.
    pub round_trip: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Job {
    index: u64,
}

/// Fills the queue of `work`, whose invocations wait on `gate` in turn.
struct Queue {
    events: u64,
    gate: Arc<Semaphore>,
    /// Notified as each invocation of `work` begins.
    started: Arc<Notify>,
    done: AtomicU64,
}

impl Queue {
    fn new(events: u64) -> Self {
        Self {
            events,
            gate: Arc::new(Semaphore::new(0)),
            started: Arc::new(Notify::new()),
            done: AtomicU64::new(0),
        }
    }
}

workflow! {
    impl Queue {
        #[step(sends(Job))]
        async fn fill(&self, ctx: &Context<Self>, _start: StartEvent) {
            for index in 0..self.events {
                ctx.send_event(Job { index });
            }
        }

        #[step(num_workers = 1)]
        async fn work(&self, job: Job) -> Option<StopEvent<u64>> {
            self.started.notify_one();
            let _open = self.gate.acquire().await.expect("the gate is never closed");
            let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            (done == self.events).then(|| StopEvent::new(job.index))
        }
    }
}

/// A snapshot of a run holding `events` events, and a resume from it.
pub async fn ours(events: u64) -> Phases {
    let queue = Queue::new(events);
    let started = queue.started.clone();
    let handler = queue.runner().run(StartEvent::new());
    started.notified().await;
    // Answered once the run has gone as far as it can: every event queued.
    let settled = handler.snapshot().await.expect("the run is parked");
    assert_eq!(settled.in_flight.len(), 1);
    assert_eq!(settled.queued.len() as u64, events - 1);
    drop(settled);

    let began = Instant::now();
    let snapshot = handler.snapshot().await.expect("the run is parked");
    let write = began.elapsed();
    handler.cancel();
    let _cancelled = handler.await;

    let queue = Queue::new(events);
    let (gate, started) = (queue.gate.clone(), queue.started.clone());
    let runner = queue.runner();
    let began = Instant::now();
    let json = serde_json::to_string(&snapshot).expect("a snapshot is JSON");
    let read: RunSnapshot = serde_json::from_str(&json).expect("and back");
    let handler = runner.resume(read).expect("the same workflow resumes it");
    started.notified().await;
    let round_trip = began.elapsed();

    gate.add_permits(Semaphore::MAX_PERMITS);
    let last = handler
        .await
        .expect("the resumed run works through its queue");
    assert_eq!(last, events - 1);
    Phases { write, round_trip }
}

/// The same events as a `Vec`, to JSON and back with serde_json.
pub async fn by_hand(events: u64) -> Phases {
    let jobs: Vec<Job> = (0..events).map(|index| Job { index }).collect();
    let began = Instant::now();
    let json = serde_json::to_string(&jobs).expect("jobs are JSON");
    let write = began.elapsed();
    let read: Vec<Job> = serde_json::from_str(&json).expect("and back");
    let round_trip = began.elapsed();
    assert!(read.iter().map(|job| job.index).eq(0..events));
    Phases { write, round_trip }
}
