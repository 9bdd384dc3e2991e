//! Parked durable runs: a run whose caller let go of its handler and which
//! only waits for input is written out to its store and leaves memory;
//! input sent through the store takes it up again.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use typed_workflows::durable::StoredOutcome;
use typed_workflows::prelude::*;
use typed_workflows::store::{MemoryStore, StatusKind, Store};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunId};

#[path = "support/review.rs"]
mod review;

use review::{Review, parked_at_the_question, until_status};

fn yes() -> HumanResponseEvent {
    HumanResponseEvent {
        response: "yes".into(),
    }
}

/// The result `run` stopped with, as its store keeps it.
async fn stored_result(runner: &Runner<Review>, run: RunId) -> String {
    match runner.stored_outcome(run).await.unwrap() {
        StoredOutcome::Stopped(stop) => stop.downcast::<StopEvent<String>>().unwrap().result,
        other => panic!("the run did not stop: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_let_go_at_its_question_parks_and_input_through_the_store_takes_it_up() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let review = runner.workflow();
    let run = parked_at_the_question(&runner, &*store).await;
    assert_eq!(review.asks.load(Ordering::SeqCst), 1);

    let seq = runner.send_input(run, yes()).await.unwrap();
    assert_eq!(seq, 1);
    assert_eq!(stored_result(&runner, run).await, "a poem: yes");
    // The step that waited ran again from its top when the run was taken
    // up; the finished step and its effect did not.
    assert_eq!(review.asks.load(Ordering::SeqCst), 2);
    assert_eq!(review.drafts.load(Ordering::SeqCst), 1);
    assert_eq!(review.effects.load(Ordering::SeqCst), 1);
    assert!(store.load(run).await.unwrap().unwrap().inputs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_handler_is_held_stays_in_memory_and_takes_input_through_the_store() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let review = runner.workflow();
    let mut handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    handler.stream_events().unwrap().next().await.unwrap();
    runner.send_input(run, yes()).await.unwrap();
    assert_eq!(handler.await.unwrap(), "a poem: yes");
    assert_eq!(review.asks.load(Ordering::SeqCst), 1);
    let loaded = store.load(run).await.unwrap().unwrap();
    assert!(loaded.inputs.is_empty(), "the input is consumed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recover_leaves_a_parked_run_in_the_store_until_input_for_it_is_recorded() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let review = runner.workflow();
    let run = parked_at_the_question(&runner, &*store).await;

    let recovered = runner.recover().await.unwrap();
    assert!(recovered.resumed.is_empty() && recovered.left.is_empty());
    assert_eq!(
        store.load(run).await.unwrap().unwrap().meta.status.kind(),
        StatusKind::Parked
    );

    // Input recorded by another process: the store's record of it.
    let input = serde_json::json!({
        "to": null,
        "event": { "name": "HumanResponseEvent", "value": { "response": "later" } },
    });
    store
        .send_input(run, serde_json::to_vec(&input).unwrap())
        .await
        .unwrap();
    let mut resumed = runner.recover().await.unwrap().resumed;
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed.pop().unwrap().await.unwrap(), "a poem: later");
    assert_eq!(review.effects.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_for_a_run_that_cannot_take_it_is_refused_before_it_is_recorded() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let unknown = RunId::next();
    let error = runner.send_input(unknown, yes()).await.unwrap_err();
    assert!(error.to_string().contains(&unknown.to_string()), "{error}");
    let run = parked_at_the_question(&runner, &*store).await;
    let error = runner.send_input_to(run, "draft", yes()).await.unwrap_err();
    assert!(error.to_string().contains("draft"), "{error}");
    assert_eq!(
        store.load(run).await.unwrap().unwrap().meta.status.kind(),
        StatusKind::Parked
    );
    let plain = Review::default().runner();
    assert!(matches!(
        plain.send_input(run, yes()).await,
        Err(typed_workflows::durable::InputError::NotDurable)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_stream_is_read_from_any_sequence_number_across_a_park_with_no_gap_and_no_repeat()
 {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let run = parked_at_the_question(&runner, &*store).await;
    // Read while the run is parked, then while it goes on and ends.
    let mut events = Box::pin(runner.stored_events(run, 0));
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.seq, 1);
    assert!(first.event.is::<InputRequiredEvent>());
    runner.send_input(run, yes()).await.unwrap();
    let rest: Vec<_> = events.map(Result::unwrap).collect().await;
    // Taken up with its answer, the step is not asked again: the stop
    // event comes next.
    assert_eq!(rest.iter().map(|event| event.seq).collect::<Vec<_>>(), [2]);
    assert!(rest[0].event.is::<StopEvent<String>>());
    // A reader that reconnects after event 1 gets the stop event alone.
    let again: Vec<_> = runner
        .stored_events(run, 1)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].seq, 2);
    assert_eq!(stored_result(&runner, run).await, "a poem: yes");
}

#[tokio::test]
async fn reading_a_run_the_store_does_not_hold_names_it() {
    let runner = Review::default().runner().durable(MemoryStore::new());
    let unknown = RunId::next();
    let error = runner.stored_outcome(unknown).await.unwrap_err();
    assert!(
        error.with_causes().contains(&unknown.to_string()),
        "{}",
        error.with_causes()
    );
    let read: Vec<_> = runner.stored_events(unknown, 0).collect().await;
    assert!(matches!(read.as_slice(), [Err(_)]));
}

/// Waits for two answers in turn.
struct TwoAnswers;

#[workflow_impl]
impl TwoAnswers {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let prompt = InputRequiredEvent {
            prefix: "first? ".into(),
        };
        let first = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(prompt)
            .await?;
        let second = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(StopEvent::new(format!(
            "{} {}",
            first.response, second.response
        )))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_takes_the_stores_inputs_in_order_whoever_recorded_them() {
    let store = Arc::new(MemoryStore::new());
    let runner = TwoAnswers.runner().durable(store.clone());
    let mut handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    handler.stream_events().unwrap().next().await.unwrap();
    // Recorded by another process, which cannot reach this run's inbox.
    let input = serde_json::json!({
        "to": null,
        "event": { "name": "HumanResponseEvent", "value": { "response": "first" } },
    });
    store
        .send_input(run, serde_json::to_vec(&input).unwrap())
        .await
        .unwrap();
    let answer = HumanResponseEvent {
        response: "second".into(),
    };
    assert_eq!(runner.send_input(run, answer).await.unwrap(), 2);
    // A run that skipped the first input would wait for ever.
    let result = tokio::time::timeout(std::time::Duration::from_secs(30), handler).await;
    assert_eq!(
        result.expect("both inputs reach the run").unwrap(),
        "first second"
    );
    assert!(store.load(run).await.unwrap().unwrap().inputs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_sent_at_once_to_a_parked_run_each_reach_it_once() {
    let store = Arc::new(MemoryStore::new());
    let runner = TwoAnswers.runner().durable(store.clone());
    let mut handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    handler.stream_events().unwrap().next().await.unwrap();
    drop(handler);
    until_status(&*store, run, StatusKind::Parked).await;
    let answer = |response: &str| HumanResponseEvent {
        response: response.into(),
    };
    let (a, b) = tokio::join!(
        runner.send_input(run, answer("x")),
        runner.send_input(run, answer("y"))
    );
    let mut seqs = [a.unwrap(), b.unwrap()];
    seqs.sort_unstable();
    assert_eq!(seqs, [1, 2]);
    let StoredOutcome::Stopped(stop) = runner.stored_outcome(run).await.unwrap() else {
        panic!("the run stops");
    };
    let result = stop.downcast::<StopEvent<String>>().unwrap().result;
    // Each once, whichever the store numbered first.
    assert!(result == "x y" || result == "y x", "{result}");
    assert!(store.load(run).await.unwrap().unwrap().inputs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_by_name_and_json_reaches_a_parked_run_and_is_checked_first() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let run = parked_at_the_question(&runner, &*store).await;
    let refused = runner
        .send_input_json(run, "Verdict", serde_json::json!({}), None)
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the workflow has no input event named `Verdict`; its input events are: HumanResponseEvent"
    );
    let malformed = runner
        .send_input_json(
            run,
            "HumanResponseEvent",
            serde_json::json!({"answer": 1}),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        malformed.to_string().starts_with(
            "the JSON sent as `HumanResponseEvent` is not one: missing field `response`"
        ),
        "{malformed}"
    );
    assert!(store.load(run).await.unwrap().unwrap().inputs.is_empty());
    let answer = serde_json::json!({"response": "yes"});
    runner
        .send_input_json(run, "HumanResponseEvent", answer, None)
        .await
        .unwrap();
    assert_eq!(stored_result(&runner, run).await, "a poem: yes");
}

/// Cancels `run` through the store, checks that the store says so, and
/// gives the names of the events its stored stream holds.
async fn cancelled_through_the_store(runner: &Runner<Review>, run: RunId) -> Vec<&'static str> {
    assert!(runner.cancel_stored(run).await.unwrap());
    assert!(matches!(
        runner.stored_outcome(run).await.unwrap(),
        StoredOutcome::Cancelled
    ));
    runner
        .stored_events(run, 0)
        .map(|read| read.unwrap().event.name())
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_run_is_cancelled_through_the_store_and_its_stream_says_so() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let run = parked_at_the_question(&runner, &*store).await;
    let names = cancelled_through_the_store(&runner, run).await;
    // Ended in the store: its waiting step did not run again to ask again.
    assert_eq!(names, ["InputRequiredEvent", "WorkflowCancelledEvent"]);
    assert_eq!(runner.workflow().asks.load(Ordering::SeqCst), 1);
    // Once ended, there is nothing to cancel.
    assert!(!runner.cancel_stored(run).await.unwrap());
    let meta = store.load(run).await.unwrap().unwrap().meta;
    assert!(matches!(
        Runner::<Review>::outcome_of(&meta),
        Some(Ok(StoredOutcome::Cancelled))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_let_go_is_cancelled_through_the_store() {
    let store = Arc::new(MemoryStore::new());
    // With observer events, whose records the stored stream reads back.
    let runner = Review::default()
        .runner()
        .expose_internal(true)
        .durable(store.clone());
    let handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    runner.until_stored(run).await.unwrap();
    drop(handler);
    let names = cancelled_through_the_store(&runner, run).await;
    assert!(names.contains(&"StepStarted"), "{names:?}");
    assert_eq!(names.last(), Some(&"WorkflowCancelledEvent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_another_process_records_reaches_a_run_live_here() {
    let store = Arc::new(MemoryStore::new());
    let runner = Review::default().runner().durable(store.clone());
    let mut handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    let question = handler.stream_events().unwrap().next().await.unwrap();
    assert!(question.is::<InputRequiredEvent>());
    // As another process's runner writes it: straight into the store, with
    // nothing sent to this one but the store's notice.
    let record = serde_json::json!({
        "to": null,
        "event": {"name": "HumanResponseEvent", "value": {"response": "yes"}},
    });
    store
        .send_input(run, serde_json::to_vec(&record).unwrap())
        .await
        .unwrap();
    assert_eq!(handler.await.unwrap(), "a poem: yes");
}
