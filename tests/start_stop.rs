//! Starting and stopping runs: `StartEvent`'s typed getter and its errors, a
//! custom `#[event(start)]` and `#[event(stop)]` type, and a stop event ending
//! the run while other steps are still running.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Notify, oneshot};
use typed_workflows::StartValueError;
use typed_workflows::prelude::*;

// --- StartEvent::get ------------------------------------------------------------

#[test]
fn start_event_get_returns_typed_values() {
    let start = StartEvent::new()
        .with("name", "Ishmael")
        .with("count", 3)
        .with("tags", vec!["a", "b"]);
    assert_eq!(start.get::<String>("name").unwrap(), "Ishmael");
    assert_eq!(start.get::<u64>("count").unwrap(), 3);
    assert_eq!(start.get::<Vec<String>>("tags").unwrap(), ["a", "b"]);
}

#[test]
fn start_event_get_of_a_missing_key_names_the_key_and_the_present_ones() {
    let start = StartEvent::new().with("name", "Ishmael").with("count", 3);
    let error = start.get::<String>("author").unwrap_err();
    assert!(
        matches!(&error, StartValueError::Missing { key, .. } if key == "author"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the start event has no value named `author` (it has: count, name)"
    );
}

#[test]
fn start_event_get_of_the_wrong_type_names_the_key_and_the_type() {
    let start = StartEvent::new().with("count", "three");
    let error = start.get::<u32>("count").unwrap_err();
    assert!(
        matches!(&error, StartValueError::WrongType { key, expected, .. } if key == "count" && *expected == "u32"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the start event's value `count` is not a `u32`"
    );
    // serde's cause comes once, as the error's source.
    assert_eq!(
        format!("{:#}", anyhow::Error::from(error)),
        "the start event's value `count` is not a `u32`: invalid type: string \"three\", expected u32"
    );
}

#[test]
fn start_event_try_with_refuses_a_value_that_is_not_json() {
    let not_json = std::collections::BTreeMap::from([((1, 2), "pair key")]);
    assert!(StartEvent::new().try_with("map", &not_json).is_err());
    let start = StartEvent::new().try_with("n", 1).unwrap();
    assert_eq!(start.get_json("n"), Some(&serde_json::json!(1)));
    assert_eq!(start.values().len(), 1);
}

#[test]
#[should_panic(expected = "the start event's value `map` is not JSON: key must be a string")]
fn start_event_with_panics_on_a_value_that_is_not_json() {
    let not_json = std::collections::BTreeMap::from([((1, 2), "pair key")]);
    let _ = StartEvent::new().with("map", not_json);
}

// --- deeply nested values ---------------------------------------------------------

/// `0` inside `depth` arrays, built without recursion.
fn nested(depth: usize) -> serde_json::Value {
    let mut value = serde_json::json!(0);
    for _ in 0..depth {
        value = serde_json::Value::Array(vec![value]);
    }
    value
}

/// Drops a value from [`nested`] without recursion, which dropping a value
/// 20,000 arrays deep would overflow the test's stack with.
fn dismantle(mut value: serde_json::Value) {
    while let serde_json::Value::Array(mut items) = value {
        value = items.pop().unwrap_or_default();
    }
}

const DEEP: usize = 20_000;

#[test]
fn a_start_value_nested_deeper_than_the_limit_is_refused_without_recursing_into_it() {
    let deep = nested(DEEP);
    let error = StartEvent::new().try_with("deep", &deep).unwrap_err();
    assert!(
        matches!(&error, StartValueError::TooDeep { key, limit: 128 } if key == "deep"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the start event's value `deep` is nested deeper than 128 arrays and objects"
    );
    dismantle(deep);
}

#[test]
fn a_start_value_at_the_limit_is_taken_and_read_back() {
    let limit = StartEvent::MAX_DEPTH;
    let start = StartEvent::new().with("edge", nested(limit));
    let read: serde_json::Value = start.get("edge").unwrap();
    assert_eq!(read, nested(limit));
    assert!(
        StartEvent::new()
            .try_with("over", nested(limit + 1))
            .is_err()
    );
}

#[test]
#[should_panic(expected = "the start event's value `over` is nested deeper than 128")]
fn start_event_with_panics_on_a_value_nested_too_deep() {
    let _ = StartEvent::new().with("over", nested(StartEvent::MAX_DEPTH + 1));
}

#[test]
fn a_start_event_deserialized_with_a_value_nested_too_deep_is_refused() {
    // `{"values": {key: value}}`, built without `json!`, which would
    // serialize `value` recursively.
    let start_json = |key: &str, value| {
        let values = serde_json::Map::from_iter([(key.to_owned(), value)]);
        let outer = [("values".to_owned(), serde_json::Value::Object(values))];
        serde_json::Value::Object(serde_json::Map::from_iter(outer))
    };
    let mut deep = start_json("deep", nested(DEEP));
    // From a borrowed value, whose deserializer sets no depth limit of its own.
    let error = StartEvent::deserialize(&deep).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the start event's value `deep` is nested deeper than 128 arrays and objects"
    );
    dismantle(deep["values"]["deep"].take());

    let edge = start_json("edge", nested(StartEvent::MAX_DEPTH));
    let start = StartEvent::deserialize(&edge).unwrap();
    assert_eq!(start.get_json("edge"), Some(&nested(StartEvent::MAX_DEPTH)));
}

struct Deep;

workflow! {
    impl Deep {
        #[step]
        async fn read(&self, start: StartEvent) -> Result<StopEvent<usize>> {
            let mut value: serde_json::Value = start.get("value")?;
            let mut depth = 0;
            while let serde_json::Value::Array(mut items) = value {
                value = items.pop().unwrap_or_default();
                depth += 1;
            }
            Ok(StopEvent::new(depth))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_reads_a_start_value_at_the_limit_on_a_worker_thread() {
    let start = StartEvent::new().with("value", nested(StartEvent::MAX_DEPTH));
    let depth = Deep.runner().run(start).await.unwrap();
    assert_eq!(depth, StartEvent::MAX_DEPTH);
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Greeting {
    text: String,
}

struct Greeter;

workflow! {
    impl Greeter {
        #[step]
        async fn greet(&self, start: StartEvent) -> Result<Greeting> {
            let name: String = start.get("name")?;
            Ok(Greeting { text: format!("Hello, {name}!") })
        }

        #[step]
        async fn finish(&self, ev: Greeting) -> StopEvent<String> {
            StopEvent::new(ev.text)
        }
    }
}

#[tokio::test]
async fn a_missing_start_value_fails_the_run_with_a_message_naming_the_key() {
    let runner = Greeter.runner();
    assert_eq!(
        runner
            .run(StartEvent::new().with("name", "Ishmael"))
            .await
            .unwrap(),
        "Hello, Ishmael!"
    );

    let error = runner
        .run(StartEvent::new().with("nom", "Ishmael"))
        .await
        .unwrap_err();
    let WorkflowError::StepFailed {
        step,
        event,
        source,
        ..
    } = &error
    else {
        panic!("expected StepFailed, got {error:?}");
    };
    assert_eq!((*step, *event), ("greet", "StartEvent"));
    assert_eq!(
        source.to_string(),
        "the start event has no value named `name` (it has: nom)"
    );
    assert!(source.downcast_ref::<StartValueError>().is_some());

    let error = runner
        .run(StartEvent::new().with("name", 42))
        .await
        .unwrap_err();
    let WorkflowError::StepFailed { source, .. } = &error else {
        panic!("expected StepFailed, got {error:?}");
    };
    let message = source.to_string();
    assert!(
        message.starts_with("the start event's value `name` is not a `")
            && message.contains("String"),
        "{message}"
    );
}

// --- custom start and stop events ---------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Halfway {
    n: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
#[event(stop)]
struct Finished {
    doubled: u32,
    note: String,
}

struct Custom;

workflow! {
    impl Custom {
        #[step]
        async fn double(&self, begin: Begin) -> Halfway {
            Halfway { n: begin.n * 2 }
        }

        #[step]
        async fn finish(&self, ev: Halfway) -> Result<Finished> {
            Ok(Finished { doubled: ev.n, note: "custom".into() })
        }
    }
}

#[tokio::test]
async fn a_custom_start_event_begins_the_run_and_awaiting_yields_the_custom_stop_event() {
    let mut handler = Custom.runner().run(Begin { n: 21 });
    let mut events = handler.stream_events().unwrap();
    let finished: Finished = handler.await.unwrap();
    assert_eq!(
        finished,
        Finished {
            doubled: 42,
            note: "custom".into()
        }
    );

    let last = events
        .next()
        .await
        .expect("the stop event is on the stream");
    assert_eq!(last.name(), "Finished");
    assert_eq!(last.downcast_ref::<Finished>(), Some(&finished));
    assert!(events.next().await.is_none());
}

// --- `Workflow::run`, a run with the default settings ----------------------------

#[tokio::test]
async fn workflow_run_starts_a_run_with_the_workflows_own_start_event() {
    let mut handler = Custom.run(Begin { n: 4 });
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap().doubled, 8);
    let last = events
        .next()
        .await
        .expect("the stop event is on the stream");
    assert_eq!(last.name(), "Finished");
    assert!(events.next().await.is_none());
}

/// A workflow whose step is named `run`, as `Workflow::run` is.
struct Runs;

#[workflow_impl]
impl Runs {
    #[step]
    async fn run(&self, start: StartEvent) -> Result<StopEvent<String>> {
        Ok(StopEvent::new(start.get("word")?))
    }
}

#[tokio::test]
async fn a_step_named_run_is_called_on_a_reference_and_the_run_on_a_value() {
    let start = || StartEvent::new().with("word", "ran");
    // On the value: the whole run, whose result is the stop event's output.
    let output: String = Runs.run(start()).await.unwrap();
    assert_eq!(output, "ran");
    let output: String = Workflow::run(Runs, start()).await.unwrap();
    assert_eq!(output, "ran");
    // On a reference: the step itself, whose result is the stop event.
    let runs = &Runs;
    let stop: StopEvent<String> = runs.run(start()).await.unwrap();
    assert_eq!(stop.into_result(), "ran");
}

// --- a stop event ends the run: running steps are dropped ---------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Go;

/// Sends on its channel when dropped.
struct DropSignal(Option<oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

struct Race {
    slow_started: Notify,
    slow_dropped: Mutex<Option<oneshot::Sender<()>>>,
    slow_passed: AtomicBool,
    never: Notify,
}

workflow! {
    impl Race {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Go {
            Go
        }

        #[step]
        async fn slow(&self, _ev: Go) -> StopEvent<String> {
            let _guard = DropSignal(self.slow_dropped.lock().unwrap().take());
            self.slow_started.notify_one();
            self.never.notified().await;
            self.slow_passed.store(true, Ordering::SeqCst);
            StopEvent::new("slow".into())
        }

        #[step]
        async fn fast(&self, _ev: Go) -> StopEvent<String> {
            // Waits until `slow` is parked, so that it is running when the
            // run stops.
            self.slow_started.notified().await;
            StopEvent::new("fast".into())
        }
    }
}

#[tokio::test]
async fn a_stop_event_ends_the_run_and_drops_the_steps_still_running() {
    let (dropped_tx, mut dropped_rx) = oneshot::channel();
    let runner = Race {
        slow_started: Notify::new(),
        slow_dropped: Mutex::new(Some(dropped_tx)),
        slow_passed: AtomicBool::new(false),
        never: Notify::new(),
    }
    .runner();
    let result = runner.run(StartEvent::new()).await.unwrap();
    assert_eq!(result, "fast");
    // The run's task has finished, so `slow` must already have been dropped.
    assert_eq!(dropped_rx.try_recv(), Ok(()));
    assert!(!runner.workflow().slow_passed.load(Ordering::SeqCst));
}

// --- a stop event sent through the context ---------------------------------------------

struct SendsStop {
    after_send: AtomicBool,
    never: Notify,
}

workflow! {
    impl SendsStop {
        #[step(sends(StopEvent<u32>))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
            ctx.send_event(StopEvent::new(5));
            // The run ends at once: this step is dropped here.
            self.never.notified().await;
            self.after_send.store(true, Ordering::SeqCst);
        }
    }
}

#[tokio::test]
async fn a_stop_event_sent_through_the_context_ends_the_run_at_once() {
    let runner = SendsStop {
        after_send: AtomicBool::new(false),
        never: Notify::new(),
    }
    .runner()
    .without_timeout();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 5);
    let stop = events.next().await.unwrap();
    assert_eq!(
        stop.downcast_ref::<StopEvent<u32>>(),
        Some(&StopEvent::new(5))
    );
    assert!(events.next().await.is_none());
    assert!(!runner.workflow().after_send.load(Ordering::SeqCst));
}
