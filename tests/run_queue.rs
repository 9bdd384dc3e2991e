//! `Runner::num_concurrent_runs`: runs beyond the cap wait in a queue, in
//! the order they were started, rather than fail; a queued run can be
//! cancelled or dropped, and frees no place it never held; a run's timeout
//! counts from when it leaves the queue.
//!
//! "Nothing else happens" is checked on a paused clock: a sleep there
//! returns only once every task of the runtime is idle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use typed_workflows::WorkflowCancelledEvent;
use typed_workflows::prelude::*;

/// Returns once everything else on the (paused) runtime waits.
async fn settle() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// Each run says it started, then waits for its gate.
struct Gated {
    started: mpsc::UnboundedSender<u32>,
    gates: Mutex<Vec<(u32, oneshot::Receiver<()>)>>,
}

workflow! {
    impl Gated {
        #[step]
        async fn only(&self, start: StartEvent) -> Result<StopEvent<u32>> {
            let n: u32 = start.get("n")?;
            self.started.send(n)?;
            let gate = {
                let mut gates = self.gates.lock().unwrap();
                let at = gates.iter().position(|(of, _)| *of == n).expect("a gate per run");
                gates.remove(at).1
            };
            gate.await?;
            Ok(StopEvent::new(n))
        }
    }
}

/// A runner of `Gated` capped at `cap`, with a gate for each of `runs`.
fn gated(
    cap: usize,
    runs: u32,
) -> (
    Runner<Gated>,
    mpsc::UnboundedReceiver<u32>,
    Vec<oneshot::Sender<()>>,
) {
    let (started, starts) = mpsc::unbounded_channel();
    let (opens, gates): (Vec<_>, Vec<_>) = (0..runs)
        .map(|n| {
            let (open, gate) = oneshot::channel();
            (open, (n, gate))
        })
        .unzip();
    let runner = Gated {
        started,
        gates: Mutex::new(gates),
    }
    .runner()
    .without_timeout()
    .num_concurrent_runs(cap);
    (runner, starts, opens)
}

fn start(n: u32) -> StartEvent {
    StartEvent::new().with("n", n)
}

#[tokio::test(start_paused = true)]
async fn runs_beyond_the_cap_wait_their_turn_in_the_order_started() {
    let (runner, mut starts, mut opens) = gated(2, 5);
    let handlers: Vec<_> = (0..5).map(|n| runner.run(start(n))).collect();
    settle().await;
    assert_eq!(starts.recv().await, Some(0));
    assert_eq!(starts.recv().await, Some(1));
    assert!(starts.try_recv().is_err(), "only two runs go on at once");
    for next in 2..5 {
        opens.remove(0).send(()).unwrap();
        assert_eq!(starts.recv().await, Some(next));
        settle().await;
        assert!(
            starts.try_recv().is_err(),
            "one run ended, one more started"
        );
    }
    for open in opens {
        open.send(()).unwrap();
    }
    for (n, handler) in (0..).zip(handlers) {
        assert_eq!(handler.await.unwrap(), n, "a queued run does not fail");
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_cancelled_in_the_queue_ends_cancelled_and_frees_nothing() {
    let (runner, mut starts, mut opens) = gated(1, 4);
    let first = runner.run(start(0));
    let mut cancelled = runner.run(start(1));
    let dropped = runner.run(start(2));
    let last = runner.run(start(3));
    let mut events = cancelled.stream_events().unwrap();
    settle().await;
    assert_eq!(starts.recv().await, Some(0));

    cancelled.cancel();
    drop(dropped);
    let end = events.next().await.expect("the stream says why it ended");
    assert!(end.is::<WorkflowCancelledEvent>());
    assert!(events.next().await.is_none());
    assert!(matches!(cancelled.await, Err(WorkflowError::Cancelled)));
    settle().await;
    assert!(
        starts.try_recv().is_err(),
        "the runs that left the queue freed no place: the first still holds the only one"
    );

    opens.remove(0).send(()).unwrap();
    assert_eq!(first.await.unwrap(), 0);
    assert_eq!(
        starts.recv().await,
        Some(3),
        "the next run still queued starts"
    );
    opens.pop().unwrap().send(()).unwrap();
    assert_eq!(last.await.unwrap(), 3);
}

/// Each run takes the time it is given.
struct Sleeps;

workflow! {
    impl Sleeps {
        #[step]
        async fn only(&self, start: StartEvent) -> Result<StopEvent<()>> {
            let seconds: u64 = start.get("seconds")?;
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            Ok(StopEvent::new(()))
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_queued_runs_timeout_counts_from_when_it_leaves_the_queue() {
    let runner = Sleeps
        .runner()
        .timeout(Duration::from_secs(10))
        .num_concurrent_runs(1);
    let seconds = |seconds: u64| StartEvent::new().with("seconds", seconds);
    let first = runner.run(seconds(8));
    // Ends 13 s after it was started, 5 s after it left the queue.
    let second = runner.run(seconds(5));
    // Leaves the queue at 13 s, and takes 11 s of its 10.
    let third = runner.run(seconds(11));
    first.await.unwrap();
    second.await.unwrap();
    match third.await {
        Err(WorkflowError::TimedOut { after, .. }) => assert_eq!(after, Duration::from_secs(10)),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

/// Counts the runs inside their step, and the most there were at once.
#[derive(Default)]
struct Inside {
    now: AtomicUsize,
    most: AtomicUsize,
}

struct Counts {
    inside: Arc<Inside>,
}

struct Leaving(Arc<Inside>);

impl Drop for Leaving {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

workflow! {
    impl Counts {
        #[step]
        async fn only(&self, start: StartEvent) -> Result<StopEvent<()>> {
            let now = self.inside.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.inside.most.fetch_max(now, Ordering::SeqCst);
            let _leaving = Leaving(self.inside.clone());
            let yields: u32 = start.get("yields")?;
            for _ in 0..yields {
                tokio::task::yield_now().await;
            }
            Ok(StopEvent::new(()))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_dropped_queued_or_running_never_let_more_than_the_cap_in() {
    const CAP: usize = 3;
    let inside = Arc::new(Inside::default());
    let runner = Counts {
        inside: inside.clone(),
    }
    .runner()
    .without_timeout()
    .num_concurrent_runs(CAP);
    let mut kept = Vec::new();
    for round in 0..2_000_u32 {
        let handler = runner.run(StartEvent::new().with("yields", round % 7));
        match round % 4 {
            0 => handler.cancel(),
            1 => drop(handler),
            _ => kept.push(handler),
        }
        if round % 5 == 0 {
            tokio::task::yield_now().await;
        }
    }
    // A place lost to a dropped run would leave runs queued for ever: this
    // bound turns that into a failure.
    let guard = Duration::from_secs(60);
    for handler in kept {
        tokio::time::timeout(guard, handler).await.unwrap().unwrap();
    }
    assert!(inside.most.load(Ordering::SeqCst) <= CAP);
    assert_eq!(inside.now.load(Ordering::SeqCst), 0);
    // The places of every dropped run came back.
    let all_at_once: Vec<_> = (0..CAP)
        .map(|_| runner.run(StartEvent::new().with("yields", 0)))
        .collect();
    for handler in all_at_once {
        tokio::time::timeout(guard, handler).await.unwrap().unwrap();
    }
}
