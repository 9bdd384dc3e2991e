//! What a run logs through `tracing`, read by a subscriber that keeps each
//! event's level and fields: the warning of a failed run carries the step's
//! error and its causes, not only the line that names the step; retries,
//! recoveries and each step's start and end come at their levels.
//!
//! Here rather than in the facade's tests, because `tracing` is this crate's
//! dependency and not the facade's.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepFailedEvent};

/// The level and fields of every event logged while it is the default
/// subscriber, one `name=value` list per event; spans are given ids and
/// otherwise ignored.
#[derive(Clone, Default)]
struct Captured {
    events: Arc<Mutex<Vec<(Level, String)>>>,
}

impl Captured {
    /// The messages of the events at `level`, in order.
    fn messages(&self, level: Level) -> Vec<String> {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|(at, _)| *at == level)
            .filter_map(|(_, fields)| fields.strip_prefix("message="))
            .map(|fields| fields.split(' ').take_while(|word| !word.contains('=')))
            .map(|words| words.collect::<Vec<_>>().join(" "))
            .collect()
    }
}

impl Subscriber for Captured {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let level = *event.metadata().level();
        self.events.lock().unwrap().push((level, fields.0));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// An event's fields as `name=value`, separated by spaces.
struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(&format!("{}={value:?}", field.name()));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct A {
    n: u32,
}

struct Checked;

#[workflow_impl]
impl Checked {
    #[step]
    async fn one(&self, _start: StartEvent) -> A {
        A { n: 1 }
    }

    #[step]
    async fn two(&self, ev: A) -> Result<StopEvent<u32>> {
        anyhow::ensure!(ev.n > 1, "n too small");
        Ok(StopEvent::new(ev.n))
    }
}

struct Reader;

#[workflow_impl]
impl Reader {
    #[step]
    async fn read(&self, start: StartEvent) -> Result<StopEvent<String>> {
        let path: String = start.get("path")?;
        std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        Ok(StopEvent::new(path))
    }
}

/// The warnings logged while `run` ran under a capturing subscriber.
async fn warnings_of<F: Future>(run: F) -> Vec<String> {
    let captured = Captured::default();
    let _default = tracing::subscriber::set_default(captured.clone());
    run.await;
    let events = captured.events.lock().unwrap();
    events
        .iter()
        .filter(|(_, fields)| fields.starts_with("message=run failed"))
        .map(|(_, fields)| fields.clone())
        .collect()
}

#[tokio::test]
async fn the_warning_of_a_failed_run_carries_the_steps_error() {
    let warnings = warnings_of(async {
        Checked.run(StartEvent::new()).await.unwrap_err();
    })
    .await;
    assert_eq!(
        warnings,
        ["message=run failed error=step `two` failed while handling `A`: n too small"]
    );
}

#[tokio::test]
async fn the_warning_of_a_failed_run_carries_every_cause_of_the_steps_error() {
    let warnings = warnings_of(async {
        let start = StartEvent::new().with("path", "/nonexistent/typed-workflows");
        Reader.run(start).await.unwrap_err();
    })
    .await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert!(
        warning.starts_with(
            "message=run failed error=step `read` failed while handling `StartEvent`: reading /nonexistent/typed-workflows: "
        ),
        "{warning}"
    );
    // The I/O error itself, the last cause.
    let io = std::fs::read_to_string("/nonexistent/typed-workflows").unwrap_err();
    assert!(warning.ends_with(&io.to_string()), "{warning}");
}

/// `call` fails on every attempt, two of them, and `desk` catches it.
struct Desk;

#[workflow_impl]
impl Desk {
    #[step(retry = RetryPolicy::fixed(Duration::ZERO).max_attempts(2))]
    async fn call(&self, _start: StartEvent) -> Result<StopEvent<String>> {
        anyhow::bail!("out of order")
    }

    #[step(catches(call))]
    async fn desk(&self, failed: StepFailedEvent) -> StopEvent<String> {
        StopEvent::new(format!("sorry: {}", failed.error))
    }
}

#[tokio::test]
async fn retries_recoveries_and_each_steps_start_and_end_are_traced_at_their_levels() {
    let captured = Captured::default();
    let _default = tracing::subscriber::set_default(captured.clone());
    assert_eq!(
        Desk.run(StartEvent::new()).await.unwrap(),
        "sorry: out of order"
    );
    assert_eq!(
        captured.messages(Level::INFO),
        ["step failed; trying again"]
    );
    assert_eq!(
        captured.messages(Level::WARN),
        ["step failed; its failure goes to the step that catches it"]
    );
    assert_eq!(
        captured.messages(Level::TRACE),
        [
            "step started",
            "step failed",
            "step started",
            "step finished"
        ]
    );
    assert_eq!(captured.messages(Level::DEBUG), ["run finished"]);
}

#[tokio::test]
async fn a_finished_run_warns_of_nothing() {
    let captured = Captured::default();
    let _default = tracing::subscriber::set_default(captured.clone());
    let start = StartEvent::new().with("path", env!("CARGO_MANIFEST_PATH"));
    Reader.run(start).await.unwrap();
    assert!(captured.messages(Level::WARN).is_empty());
    assert_eq!(captured.messages(Level::DEBUG), ["run finished"]);
}
