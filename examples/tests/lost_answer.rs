//! An answer counted as consumed must be in the snapshot that counts it.
//!
//! A durable run's commits record the snapshots of the run; one that
//! counts the store's input `n` as taken (`inputs_through >= n`, and the
//! store drops the input) must hold the event somewhere (the inbox, or the
//! answers of the wait it was handed to): else a crash or a lost lease
//! right after that commit loses the answer, and the run, taken up again,
//! waits for it for ever (the PostgreSQL kill test, `pg_kill.rs`, ends with
//! such runs parked). The run hands the event to the wait, and the wait
//! records it among its answers only once the step is polled again: a
//! snapshot taken in between holds it nowhere.

use std::sync::{Arc, Mutex};

use typed_workflows::prelude::*;
use typed_workflows::store::{
    Batch, BoxFuture, Claimed, Committed, Lease, Loaded, MemoryStore, NewRun, Notice, Owner,
    Record, RunFilter, RunMeta, Store, StoreError, WorkflowKey,
};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunId};

/// A memory store that keeps every snapshot committed to it.
#[derive(Default)]
struct Recording {
    store: MemoryStore,
    snapshots: Mutex<Vec<serde_json::Value>>,
}

impl Store for Recording {
    fn describe(&self) -> String {
        self.store.describe()
    }
    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        self.store.create(run, owner)
    }
    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        self.store.claim(run, owner)
    }
    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        self.store.claim_ready(owner, workflows, limit)
    }
    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        if let Some(snapshot) = &batch.snapshot {
            let snapshot = serde_json::from_slice(snapshot).expect("a snapshot is JSON");
            self.snapshots.lock().unwrap().push(snapshot);
        }
        self.store.commit(lease, batch)
    }
    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        self.store.renew(lease)
    }
    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        self.store.load(run)
    }
    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        self.store.read_stream(run, after, limit)
    }
    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.store.send_input(run, input)
    }
    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        self.store.list(filter)
    }
    fn notices(&self) -> tokio::sync::broadcast::Receiver<Notice> {
        self.store.notices()
    }
}

struct Ask;

#[workflow_impl]
impl Ask {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent { prefix: "?".into() })
            .await?;
        Ok(StopEvent::new(answer.response))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_counts_an_answer_as_taken_holds_it() {
    let store = Arc::new(Recording::default());
    let runner = Ask.runner().without_timeout().durable(store.clone());
    for _ in 0..20 {
        let mut handler = runner.run(StartEvent::new());
        let run = handler.run_id();
        let mut events = handler.stream_events().unwrap();
        while let Some(event) = events.next().await {
            if event.is::<InputRequiredEvent>() {
                let answer = HumanResponseEvent {
                    response: "yes".into(),
                };
                runner.send_input(run, answer).await.unwrap();
            }
        }
        assert_eq!(handler.await.unwrap(), "yes");
    }
    for snapshot in store.snapshots.lock().unwrap().iter() {
        if snapshot["inputs_through"].as_u64() >= Some(1) {
            let held = snapshot["inbox"]
                .as_array()
                .is_some_and(|inbox| !inbox.is_empty())
                || snapshot["in_flight"].as_array().is_some_and(|in_flight| {
                    in_flight.iter().any(|invocation| {
                        invocation["answers"]
                            .as_array()
                            .is_some_and(|answers| answers.iter().any(|answer| !answer.is_null()))
                    })
                })
                || snapshot["in_flight"].as_array().is_some_and(Vec::is_empty);
            assert!(held, "the answer is counted but held nowhere: {snapshot}");
        }
    }
}
