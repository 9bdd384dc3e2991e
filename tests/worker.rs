//! A durable runner as a worker of a store it shares with others
//! (`Runner::work`): it takes up the runs that input recorded elsewhere
//! wakes, those whose timeout fell due while parked, and those whose
//! worker died once its lease lapses; and it hands back what it holds when
//! it stops. A store that fails for a while does not stop it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use typed_workflows::durable::{StoredOutcome, Worked};
use typed_workflows::prelude::*;
use typed_workflows::store::{ManualClock, MemoryStore, StatusKind, Store};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunId};
use workflow_store::faults::{Fault, Faulty};

#[path = "support/process.rs"]
mod process;
#[path = "support/review.rs"]
mod review;

use process::runtime;
use review::{Review, parked_at_the_question, until_status};

/// A worker of `runner` working in a task until the sender is used or
/// dropped; what it did, once it stops.
fn working(
    runner: Runner<Review>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Worked>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        runner.work(shutdown, Duration::from_secs(5)).await.unwrap()
    });
    (stop, worker)
}

/// The answer, as another process records it: straight into the store.
async fn answer_elsewhere(store: &dyn Store, run: RunId) {
    let record = serde_json::json!({
        "to": null,
        "event": {"name": "HumanResponseEvent", "value": {"response": "yes"}},
    });
    store
        .send_input(run, serde_json::to_vec(&record).unwrap())
        .await
        .unwrap();
}

async fn stopped_with(runner: &Runner<Review>, run: RunId) -> String {
    match runner.stored_outcome(run).await.unwrap() {
        StoredOutcome::Stopped(stop) => stop.downcast::<StopEvent<String>>().unwrap().result,
        other => panic!("the run did not stop: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_takes_up_a_parked_run_that_input_recorded_elsewhere_wakes() {
    let store = Arc::new(MemoryStore::new());
    let starter = Review::default().runner().durable(store.clone());
    let run = parked_at_the_question(&starter, &*store).await;
    let runner = Review::default()
        .runner()
        .durable(store.clone())
        .worker("w");
    let (stop, worker) = working(runner.clone());
    answer_elsewhere(&*store, run).await;
    assert_eq!(stopped_with(&runner, run).await, "a poem: yes");
    // The finished step did not run again: its output is in the store.
    assert_eq!(runner.workflow().drafts.load(Ordering::SeqCst), 0);
    stop.send(()).unwrap();
    let worked = worker.await.unwrap();
    assert_eq!((worked.taken_up, worked.handed_back), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_ends_a_parked_run_whose_timeout_fell_due() {
    let store = Arc::new(MemoryStore::new());
    let timeout = Duration::from_millis(300);
    let starter = Review::default()
        .runner()
        .timeout(timeout)
        .durable(store.clone());
    let run = parked_at_the_question(&starter, &*store).await;
    let (stop, worker) = working(Review::default().runner().durable(store.clone()));
    match starter.stored_outcome(run).await.unwrap() {
        StoredOutcome::Failed(error) => assert!(error.contains("timed out"), "{error}"),
        other => panic!("the run did not time out: {other:?}"),
    }
    drop(stop);
    assert_eq!(worker.await.unwrap().taken_up, 1);
}

#[test]
fn a_worker_takes_up_a_run_whose_worker_died_once_its_lease_lapses() {
    let clock = ManualClock::new(SystemTime::now());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    // The worker that dies: its handler held, the run stays in memory at
    // its question, leased to it, until its process ends.
    let dying = runtime();
    let run = dying.block_on(async {
        let mut handler = Review::default()
            .runner()
            .durable(store.clone())
            .worker("dead")
            .lease(Duration::from_secs(5))
            .run(StartEvent::new());
        let question = handler.stream_events().unwrap().next().await.unwrap();
        assert!(question.is::<InputRequiredEvent>());
        let run = handler.run_id();
        std::mem::forget(handler);
        run
    });
    drop(dying);
    runtime().block_on(async {
        let runner = Review::default()
            .runner()
            .durable(store.clone())
            .worker("w");
        let (stop, worker) = working(runner.clone());
        // Its lease is live yet: the run waits for it to lapse.
        let loaded = store.load(run).await.unwrap().unwrap();
        assert_eq!(loaded.meta.status.kind(), StatusKind::Running);
        // Past its 5 s lease (not the default 60 s).
        clock.advance(Duration::from_secs(6));
        let mut stream = std::pin::pin!(runner.stored_events(run, 1));
        let asked_again = stream.next().await.unwrap().unwrap();
        assert!(asked_again.event.is::<InputRequiredEvent>());
        runner
            .send_input(
                run,
                HumanResponseEvent {
                    response: "yes".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(stopped_with(&runner, run).await, "a poem: yes");
        let (drafts, effects, _) = runner.workflow().ran();
        assert_eq!(
            (drafts, effects),
            (0, 0),
            "the recorded step and its effect did not run again"
        );
        stop.send(()).unwrap();
        // Once when its lease lapsed; perhaps again, once it parked with the
        // answer recorded, if the worker claimed it before the sender.
        assert!(worker.await.unwrap().taken_up >= 1);
        until_status(&*store, run, StatusKind::Finished).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_goes_on_through_a_store_that_fails_for_a_while() {
    let store = Arc::new(Faulty::new(MemoryStore::new()));
    // Its first three looks fail, as against a database restarting.
    for nth in 1..=3 {
        store.fail(Fault::ClaimReady(nth));
    }
    let starter = Review::default().runner().durable(store.clone());
    let run = parked_at_the_question(&starter, &*store).await;
    let runner = Review::default()
        .runner()
        .durable(store.clone())
        .worker("w");
    let (stop, mut worker) = working(runner.clone());
    answer_elsewhere(&*store, run).await;
    tokio::select! {
        result = stopped_with(&runner, run) => assert_eq!(result, "a poem: yes"),
        stopped = &mut worker => panic!("the worker stopped at the store's failure: {stopped:?}"),
    }
    stop.send(()).unwrap();
    assert_eq!(worker.await.unwrap().taken_up, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_runs_wait_in_the_store_for_a_worker_and_run_once() {
    let store = Arc::new(MemoryStore::new());
    let client = Review::default().runner().durable(store.clone());
    let mut runs = Vec::new();
    for _ in 0..20 {
        runs.push(client.submit(StartEvent::new()).await.unwrap());
    }
    // Recorded, not run: no worker yet, and the client is none.
    assert_eq!(client.workflow().drafts.load(Ordering::SeqCst), 0);
    for run in &runs {
        let loaded = store.load(*run).await.unwrap().unwrap();
        assert_eq!(loaded.meta.status.kind(), StatusKind::Running);
    }

    let runner = Review::default()
        .runner()
        .durable(store.clone())
        .worker("w");
    let (stop, worker) = working(runner.clone());
    for run in &runs {
        until_status(&*store, *run, StatusKind::Parked).await;
        answer_elsewhere(&*store, *run).await;
    }
    for run in &runs {
        assert_eq!(stopped_with(&runner, *run).await, "a poem: yes");
    }
    let (drafts, effects, _) = runner.workflow().ran();
    assert_eq!((drafts, effects), (20, 20), "each run drafted once");
    stop.send(()).unwrap();
    worker.await.unwrap();
}
