//! Recovering from a step's failure: `#[step(catches(other_step))]` makes a
//! step the handler of another step's final failure (as LlamaIndex's
//! `@catch_error`), invoked with a [`StepFailedEvent`].

use serde::{Deserialize, Serialize};

use crate::event::library_event;

/// How a step failed, for the step that catches its failures
/// (`#[step(catches(...))]`): sent to that step once the failing step's
/// retries, if any, ran out. The catching step may recover, by returning an
/// event that goes on, or the stop event. Once it has recovered
/// `max_recoveries` times in the run, the next failure it would catch fails
/// the run with that failure's error; if the catching step fails itself, the
/// run fails with its error.
///
/// ```
/// use workflows::prelude::*;
/// use workflows::StepFailedEvent;
///
/// #[derive(Debug, Clone, Serialize, Deserialize, Event)]
/// struct Page { url: String }
///
/// struct Crawl;
///
/// #[workflow_impl]
/// impl Crawl {
///     #[step]
///     async fn start(&self, _ev: StartEvent) -> Page {
///         Page { url: "http://example.test".into() }
///     }
///
///     #[step]
///     async fn fetch(&self, page: Page) -> Result<StopEvent<String>> {
///         anyhow::bail!("{} is unreachable", page.url)
///     }
///
///     #[step(catches(fetch), max_recoveries = 2)]
///     async fn fall_back(&self, failed: StepFailedEvent) -> StopEvent<String> {
///         assert_eq!(failed.input["url"], "http://example.test");
///         StopEvent::new(format!("cached copy, as {} failed: {}", failed.step, failed.error))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let result = Crawl.runner().run(StartEvent::new()).await?;
/// assert_eq!(result, "cached copy, as fetch failed: http://example.test is unreachable");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepFailedEvent {
    /// The step that failed.
    pub step: String,
    /// The name of the event type it was handling.
    pub event: String,
    /// The event it was handling, as JSON; `null` if it panicked.
    pub input: serde_json::Value,
    /// Its error with the causes (`{:#}`), or its panic's message.
    pub error: String,
    /// How many attempts it made (see `#[step(retry = ...)]`).
    pub attempts: u32,
    /// Whether it panicked rather than returning an error.
    pub panicked: bool,
}

library_event!("workflows::", StepFailedEvent, Regular);

/// A step's error with the event it was handling, as JSON, for the step
/// that catches its failures; the run takes it apart.
#[derive(Debug)]
pub(crate) struct FailedWith {
    pub(crate) error: anyhow::Error,
    pub(crate) input: serde_json::Value,
}

impl std::fmt::Display for FailedWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for FailedWith {}

/// The event a step is about to handle, as JSON, kept in case it fails
/// and another step catches the failure.
pub fn input_json<E: Serialize>(event: &E) -> serde_json::Value {
    serde_json::to_value(event).unwrap_or(serde_json::Value::Null)
}

/// Keeps `input` with `error`, for a step whose failures another catches.
pub fn with_input(error: anyhow::Error, input: serde_json::Value) -> anyhow::Error {
    FailedWith { error, input }.into()
}

/// The error and the input it was kept with, if it was.
pub(crate) fn input_of(error: anyhow::Error) -> (anyhow::Error, serde_json::Value) {
    match error.downcast::<FailedWith>() {
        Ok(failed) => (failed.error, failed.input),
        Err(error) => (error, serde_json::Value::Null),
    }
}
