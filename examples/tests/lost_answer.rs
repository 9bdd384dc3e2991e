//! An answer a durable run took must survive its process.
//!
//! A person answers a run's question through the store
//! (`Runner::send_input`); the run hands the answer to the waiting step,
//! and its next commit counts the input as taken (the store drops it). If
//! the process dies after that commit and before the step's end is
//! recorded, the run, taken up again, must still have the answer. Here
//! the commits fail instead of the process dying (`Faulty`, from the n-th
//! commit on, for each n in turn, for longer than a run tries a write
//! again), which stops the run at its last record as a crash would; the
//! run is then taken up again in a fresh runner and must end with the
//! answer rather than wait for it for ever. (The PostgreSQL kill
//! test, `pg_kill.rs`, ends with runs parked that way.)

use std::sync::Arc;
use std::time::Duration;

use typed_workflows::durable::StoredOutcome;
use typed_workflows::prelude::*;
use typed_workflows::store::{MemoryStore, Store};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
use workflow_store::faults::{Fault, Faulty};

/// How long a run taken up again has to end.
const END_WITHIN: Duration = Duration::from_secs(5);

/// The runs' leases: a run tries a failed write again for half of one.
const LEASE: Duration = Duration::from_millis(200);

/// How many commits in a row fail: more than a run tries in half a lease.
const FAILING: u64 = 10;

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
async fn a_run_stopped_after_it_took_its_answer_ends_with_it_when_taken_up_again() {
    for failing in 1..=6 {
        let memory = Arc::new(MemoryStore::new());
        let store = Arc::new(Faulty::new(memory.clone()));
        for commit in failing..failing + FAILING {
            store.fail(Fault::CommitBefore(commit));
        }
        let runner = Ask
            .runner()
            .without_timeout()
            .durable(store.clone())
            .lease(LEASE);
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
        if handler.await.is_ok() {
            continue;
        }
        // Stopped by the failed commits, at its last record: taken up again,
        // on the store without its faults.
        let again = Ask.runner().without_timeout().durable(memory.clone());
        let recovered = again.recover().await.unwrap();
        let left = format!("{:?}", recovered.left);
        drop(recovered);
        let outcome = tokio::time::timeout(END_WITHIN, again.stored_outcome(run)).await;
        let loaded = memory.load(run).await.unwrap().unwrap();
        let snapshot = loaded
            .snapshot
            .map(|snapshot| String::from_utf8_lossy(&snapshot.bytes).into_owned());
        match outcome {
            Ok(Ok(StoredOutcome::Stopped(stop))) => {
                assert_eq!(stop.downcast::<StopEvent<String>>().unwrap().result, "yes")
            }
            other => panic!(
                "commits from {failing} on failed; the run taken up again did not end with its answer: {other:?}; left by recover: {left}; status {:?}, inputs left {}, snapshot {snapshot:?}",
                loaded.meta.status,
                loaded.inputs.len(),
            ),
        }
    }
}
