//! Durable runs and time: a run's timeout and a wait's timeout are
//! deadlines kept in the store, so the time a process is down counts.
//!
//! A process that dies is played by a tokio runtime dropped while its run
//! waits, as in `tests/durable.rs`; the tests wait on the clock until a
//! recorded deadline has passed, then take the run up.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use typed_workflows::prelude::*;
use typed_workflows::store::{MemoryStore, Store};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunId, RunSnapshot, WaitTimedOut};

#[path = "support/process.rs"]
mod process;

use process::runtime;

/// Asks, and gives up after `WAIT` without an answer.
struct Patient;

const WAIT: Duration = Duration::from_secs(1);

#[workflow_impl]
impl Patient {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let prompt = InputRequiredEvent {
            prefix: "name? ".into(),
        };
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(prompt)
            .timeout(WAIT);
        Ok(StopEvent::new(match answer.await {
            Ok(answer) => answer.response,
            Err(WaitTimedOut { .. }) => "no answer".to_owned(),
        }))
    }
}

/// Starts a run of `runner` on a runtime of its own, waits for its
/// question, and drops the runtime with the run in it, still holding the
/// handler: a process that died at the question.
fn die_at_the_question(runner: impl FnOnce() -> Runner<Patient>) -> RunId {
    let runtime = runtime();
    let mut handler = {
        let _entered = runtime.enter();
        runner().run(StartEvent::new())
    };
    runtime.block_on(async {
        let question = handler.stream_events().unwrap().next().await.unwrap();
        assert!(question.is::<InputRequiredEvent>());
    });
    let id = handler.run_id();
    drop(runtime);
    drop(handler);
    id
}

/// The deadline the run's waiting invocation recorded, from its last
/// snapshot in `store`.
async fn recorded_deadline(store: &dyn Store, run: RunId) -> SystemTime {
    let loaded = store.load(run).await.unwrap().unwrap();
    let bytes = loaded
        .snapshot
        .map_or(loaded.start, |snapshot| snapshot.bytes);
    let snapshot: RunSnapshot = serde_json::from_slice(&bytes).unwrap();
    let effect = snapshot.in_flight[0].effects[0].clone().unwrap();
    serde_json::from_value(effect).unwrap()
}

/// Waits on the clock until `deadline` has passed.
fn until_past(deadline: SystemTime) {
    while SystemTime::now() <= deadline {
        std::thread::sleep(
            deadline
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        );
    }
}

#[test]
fn a_wait_taken_up_after_its_deadline_times_out_at_once() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let started = SystemTime::now();
    let run = die_at_the_question(|| Patient.runner().durable(store.clone()));
    runtime().block_on(async {
        let deadline = recorded_deadline(&*store, run).await;
        assert!(deadline >= started + WAIT, "the deadline is the wait's");
        until_past(deadline);
        let runner = Patient.runner().durable(store.clone());
        let handler = runner.attach(run).await.unwrap();
        // The question's wait is begun again, with the deadline it had,
        // which has passed: it ends at once, well before a whole new
        // timeout could (a wait given `WAIT` again takes all of it).
        let ended = tokio::time::timeout(WAIT * 3 / 4, handler).await;
        assert_eq!(
            ended.expect("the wait times out at once").unwrap(),
            "no answer"
        );
    });
}

#[test]
fn a_wait_taken_up_before_its_deadline_keeps_it() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let run = die_at_the_question(|| Patient.runner().durable(store.clone()));
    runtime().block_on(async {
        let deadline = recorded_deadline(&*store, run).await;
        let runner = Patient.runner().durable(store.clone());
        let mut handler = runner.attach(run).await.unwrap();
        handler.stream_events().unwrap().next().await.unwrap();
        let snapshot = handler.snapshot().await.unwrap();
        let kept = snapshot.in_flight[0].effects[0].clone().unwrap();
        assert_eq!(
            serde_json::from_value::<SystemTime>(kept).unwrap(),
            deadline
        );
        handler
            .send_event(HumanResponseEvent {
                response: "Ada".into(),
            })
            .unwrap();
        assert_eq!(handler.await.unwrap(), "Ada");
    });
}

#[test]
fn a_run_taken_up_later_has_lost_the_time_its_process_was_down_from_its_timeout() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let timeout = Duration::from_secs(30);
    let down = Duration::from_millis(300);
    let started = SystemTime::now();
    let run = die_at_the_question(|| Patient.runner().timeout(timeout).durable(store.clone()));
    until_past(started + down);
    runtime().block_on(async {
        // The deadline the store holds: the timeout from the run's first
        // record, a little after `started`.
        let loaded = store.load(run).await.unwrap().unwrap();
        let due = loaded.timers.iter().map(|timer| timer.due).max().unwrap();
        let runner = Patient.runner().durable(store.clone());
        let handler = runner.attach(run).await.unwrap();
        let left = handler.snapshot().await.unwrap().timeout_left.unwrap();
        let most = due.duration_since(started).unwrap() - down;
        assert!(
            left <= most && most <= timeout,
            "{left:?} left of {timeout:?}, {down:?} after it began"
        );
        handler.cancel();
    });
}
