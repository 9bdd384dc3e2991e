//! Durable runs: what a run records in its store, and how a runner goes on
//! with the runs a process left unfinished.
//!
//! A process that dies is played here by a tokio runtime dropped while its
//! runs wait: their tasks end without a word to the store, as they would
//! under SIGKILL. The crash tests with real processes and signals are in
//! `tests/crash.rs`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use typed_workflows::durable::RecoverError;
use typed_workflows::prelude::*;
use typed_workflows::store::{
    Change, MemoryStore, Notice, RunFilter, SqliteStore, StatusKind, Store,
};
use typed_workflows::{
    HumanResponseEvent, InputRequiredEvent, RunId, Workflow, WorkflowError, WorkflowHandler,
};
use workflow_store::faults::{Fault, Faulty};

#[path = "support/process.rs"]
mod process;
#[path = "support/review.rs"]
mod review;

use process::runtime;
use review::Review;

/// A file for an SQLite store, removed with its WAL when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("typed-workflows-test-{}.db", RunId::next())))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Starts a run of `Review` on a runtime of its own, waits until it asks
/// its question, and drops the runtime with the run in it: a process that
/// died at the question.
fn die_at_the_question(store: Arc<dyn Store>) -> RunId {
    die_holding(async {
        let mut handler = Review::default()
            .runner()
            .durable(store)
            .run(StartEvent::new());
        let question = handler.stream_events().unwrap().next().await.unwrap();
        assert!(question.is::<InputRequiredEvent>());
        Held(handler)
    })
}

/// The handler a process holds as it dies.
struct Held<W: Workflow>(WorkflowHandler<W>);

/// Runs `until` on a runtime of its own, then drops the runtime with the
/// run `until` gave the handler of: the process dies holding the handler,
/// whose run would otherwise park once let go.
fn die_holding<W: Workflow>(until: impl Future<Output = Held<W>>) -> RunId {
    let runtime = runtime();
    let Held(handler) = runtime.block_on(until);
    let id = handler.run_id();
    drop(runtime);
    drop(handler);
    id
}

#[tokio::test]
async fn a_durable_run_records_its_stream_and_its_end() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let mut handler = runner.run(StartEvent::new());
    let id = handler.run_id();
    let mut events = handler.stream_events().unwrap();
    events.next().await.unwrap();
    handler
        .send_event(HumanResponseEvent {
            response: "yes".into(),
        })
        .unwrap();
    let live: Vec<AnyEvent> = events.collect().await;
    assert_eq!(handler.await.unwrap(), "a poem: yes");

    let loaded = store.load(id).await.unwrap().unwrap();
    assert_eq!(loaded.meta.status.kind(), StatusKind::Finished);
    let stored = store.read_stream(id, 0, usize::MAX).await.unwrap();
    // The question, then the stop event, numbered from 1.
    assert_eq!(stored.len(), 1 + live.len());
    assert_eq!(
        stored.iter().map(|record| record.seq).collect::<Vec<_>>(),
        (1..=stored.len() as u64).collect::<Vec<_>>()
    );
    let names: Vec<String> = stored
        .iter()
        .map(|record| {
            let record: serde_json::Value = serde_json::from_slice(&record.bytes).unwrap();
            record["name"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(names.last().unwrap(), "StopEvent");
    assert_eq!(names[0], "InputRequiredEvent");
}

#[test]
fn a_run_left_at_its_question_goes_on_in_a_new_runner_without_running_its_finished_step_again() {
    let db = TempDb::new();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db.0).unwrap());
    let id = die_at_the_question(store.clone());

    runtime().block_on(async {
        let runner = Review::default().runner().durable(store.clone());
        let recovered = runner.recover().await.unwrap();
        assert!(recovered.left.is_empty(), "{:?}", recovered.left);
        let [mut handler] = <[_; 1]>::try_from(recovered.resumed).unwrap();
        assert_eq!(handler.run_id(), id);
        // The step in flight runs again from its top, and asks again.
        let question = handler.stream_events().unwrap().next().await.unwrap();
        assert!(question.is::<InputRequiredEvent>());
        handler
            .send_event(HumanResponseEvent {
                response: "yes".into(),
            })
            .unwrap();
        assert_eq!(handler.await.unwrap(), "a poem: yes");
        let review = runner.workflow();
        assert_eq!(
            review.drafts.load(Ordering::SeqCst),
            0,
            "the finished step ran again"
        );
        assert_eq!(review.asks.load(Ordering::SeqCst), 1);
        let meta = store.load(id).await.unwrap().unwrap().meta;
        assert_eq!(meta.status.kind(), StatusKind::Finished);
        // Nothing is left to recover.
        assert!(runner.recover().await.unwrap().resumed.is_empty());
    });
}

/// Drafts with an effect, then waits in the same step.
#[derive(Default)]
struct OneStep {
    effects: AtomicU32,
}

#[workflow_impl]
impl OneStep {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let draft: String = ctx
            .once(async {
                self.effects.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>("a draft".to_owned())
            })
            .await?;
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "keep it?".into(),
            })
            .await?;
        Ok(StopEvent::new(format!("{draft}: {}", answer.response)))
    }
}

#[test]
fn an_effect_recorded_before_a_crash_is_not_run_again() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    die_holding(async {
        let mut handler = OneStep::default()
            .runner()
            .durable(store.clone())
            .run(StartEvent::new());
        handler.stream_events().unwrap().next().await.unwrap();
        Held(handler)
    });
    runtime().block_on(async {
        let runner = OneStep::default().runner().durable(store.clone());
        let mut handler = runner.recover().await.unwrap().resumed.pop().unwrap();
        handler.stream_events().unwrap().next().await.unwrap();
        handler
            .send_event(HumanResponseEvent {
                response: "yes".into(),
            })
            .unwrap();
        assert_eq!(handler.await.unwrap(), "a draft: yes");
        assert_eq!(runner.workflow().effects.load(Ordering::SeqCst), 0);
    });
}

/// Another build of `Review`: the same name, a step renamed.
mod renamed {
    use typed_workflows::prelude::*;

    pub struct Review;

    #[workflow_impl]
    impl Review {
        #[step]
        async fn write(&self, _start: StartEvent) -> StopEvent<String> {
            StopEvent::new(String::new())
        }
    }
}

#[test]
fn a_run_that_no_longer_fits_the_workflow_is_left_untouched_and_listed() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let id = die_at_the_question(store.clone());
    runtime().block_on(async {
        let before = store.load(id).await.unwrap().unwrap().meta;
        let renamed = renamed::Review.runner().durable(store.clone());
        let recovered = renamed.recover().await.unwrap();
        assert!(recovered.resumed.is_empty());
        let [(left, error)] = <[_; 1]>::try_from(recovered.left).unwrap();
        assert_eq!(left, id);
        assert!(
            matches!(error, RecoverError::Incompatible { .. }),
            "{error}"
        );
        assert_eq!(store.load(id).await.unwrap().unwrap().meta, before);
        // The build it fits takes it up.
        let runner = Review::default().runner().durable(store.clone());
        assert_eq!(runner.recover().await.unwrap().resumed.len(), 1);
    });
}

#[tokio::test]
async fn attach_says_why_a_run_cannot_be_taken_up() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let unknown = RunId::next();
    assert!(matches!(
        runner.attach(unknown).await.unwrap_err(),
        RecoverError::Store(_)
    ));
    let mut handler = runner.run(StartEvent::new());
    handler.stream_events().unwrap().next().await.unwrap();
    let live = handler.run_id();
    assert!(matches!(
        runner.attach(live).await.unwrap_err(),
        RecoverError::Live { run } if run == live
    ));
    // The end of a cancelled run is written by a task of its own: the
    // store says when its status changes.
    let mut notices = store.notices();
    handler.cancel();
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
    while notices.recv().await.unwrap()
        != (Notice {
            run: live,
            what: Change::Status,
        })
    {}
    let meta = store.load(live).await.unwrap().unwrap().meta;
    assert_eq!(meta.status.kind(), StatusKind::Finished);
    assert!(matches!(
        runner.attach(live).await.unwrap_err(),
        RecoverError::Ended { .. }
    ));
    let plain = Review::default().runner();
    assert!(matches!(
        plain.recover().await.unwrap_err(),
        RecoverError::NotDurable
    ));
    assert!(
        store
            .list(&RunFilter::new().status(StatusKind::Running))
            .await
            .unwrap()
            .is_empty()
    );
}

/// How long the leases of the runs through a failing store last: a write
/// is tried again for half of it.
const SHORT_LEASE: Duration = Duration::from_millis(400);

/// Runs `Review` on a store that fails its commits as `faults` say, and
/// answers its question; then, if the run stopped, goes on with it with a
/// runner on the same store. How many times the effect ran, and the error
/// the run stopped with, if it did.
async fn through_failed_commits(faults: &[Fault]) -> (u32, Option<String>) {
    let store = Arc::new(Faulty::new(MemoryStore::new()));
    for fault in faults {
        store.fail(*fault);
    }
    let runner = Review::default()
        .runner()
        .durable(store.clone())
        .lease(SHORT_LEASE);
    let mut handler = runner.run(StartEvent::new());
    let id = handler.run_id();
    let mut stopped = None;
    let asked = handler.stream_events().unwrap().next().await.unwrap();
    if asked.is::<InputRequiredEvent>() {
        handler
            .send_event(HumanResponseEvent {
                response: "yes".into(),
            })
            .unwrap();
    }
    match handler.await {
        Ok(result) => assert_eq!(result, "a poem: yes"),
        Err(error) => {
            assert!(matches!(error, WorkflowError::Store { .. }), "{error}");
            stopped = Some(format!("{:#}", anyhow::Error::from(error)));
            let mut handler = runner.attach(id).await.unwrap();
            handler.stream_events().unwrap().next().await.unwrap();
            handler
                .send_event(HumanResponseEvent {
                    response: "yes".into(),
                })
                .unwrap();
            assert_eq!(handler.await.unwrap(), "a poem: yes");
        }
    }
    let loaded = store.load(id).await.unwrap().unwrap();
    assert_eq!(loaded.meta.status.kind(), StatusKind::Finished);
    (runner.workflow().effects.load(Ordering::SeqCst), stopped)
}

#[tokio::test(start_paused = true)]
async fn a_commit_that_fails_for_a_moment_is_tried_again_and_the_run_goes_on() {
    // Whichever of the run's commits fails, its end among them: one that
    // never reached the store is written by the second try; one that
    // landed though the store said it failed is found there by the second
    // try, and the run goes on with the effect not run again.
    for nth in 1..=8 {
        for fault in [Fault::CommitBefore(nth), Fault::CommitAfter(nth)] {
            assert_eq!(
                through_failed_commits(&[fault]).await,
                (1, None),
                "{fault:?}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_commit_that_keeps_failing_stops_the_run_naming_the_store_and_the_record_and_a_recovery_goes_on_from_the_last_one()
 {
    // Tried at 0, 50 and 150 ms; a fourth, after 200 ms more, would be
    // past half the lease. The effect's record never reached the store:
    // the effect runs again.
    let faults = [1, 2, 3].map(Fault::CommitBefore);
    let (effects, error) = through_failed_commits(&faults).await;
    assert_eq!(effects, 2);
    let error = error.expect("the run stopped");
    assert!(
        error.starts_with("the run stopped: its store failed: faulty:memory: commit to run "),
        "{error}"
    );
    assert!(
        error.contains("at journal record 1 failed: injected fault CommitBefore(3)"),
        "{error}"
    );

    // The last try landed though the store said it failed: the effect is
    // not run again.
    let faults = [
        Fault::CommitBefore(1),
        Fault::CommitBefore(2),
        Fault::CommitAfter(3),
    ];
    assert_eq!(through_failed_commits(&faults).await.0, 1);
}

#[test]
fn two_attaches_of_one_run_at_once_take_it_up_once() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let id = die_at_the_question(store.clone());
    runtime().block_on(async {
        let runner = Review::default().runner().durable(store.clone());
        let (first, second) = tokio::join!(runner.attach(id), runner.attach(id));
        let (taken, refused) = match (first, second) {
            (Ok(taken), Err(refused)) | (Err(refused), Ok(taken)) => (taken, refused),
            (first, second) => panic!("one attach must win: {first:?}, {second:?}"),
        };
        assert!(
            matches!(refused, RecoverError::Live { run } if run == id),
            "{refused}"
        );
        assert_eq!(taken.run_id(), id);
    });
}
