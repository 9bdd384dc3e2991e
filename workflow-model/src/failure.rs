//! How a step failed, as the step that catches its failures sees it
//! ([`StepFailedEvent`]), and which step that is ([`catcher_of`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::check::contains_name;
use crate::event::library_event;
use crate::step::StepInfo;

/// How a step failed, for the step that catches its failures: sent to that
/// step once the failing step's retries, if any, ran out. That step is the
/// one that names it in `#[step(catches(...))]`, or else the one that
/// catches every step's failures, `#[step(catches(*))]`; a step that catches
/// failures has its own caught by none. The catching step may recover, by
/// returning an event that goes on, or the stop event. Once it has
/// recovered `max_recoveries` times in the run, the next failure it would
/// catch fails the run with that failure's error (a catch-all does not take
/// it over); if the catching step fails itself, the run fails with its
/// error.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::StepFailedEvent;
/// use typed_workflows::anyhow::bail;
///
/// #[event]
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
///         bail!("{} is unreachable", page.url)
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
/// # async fn main() -> Result<()> {
/// let result = Crawl.runner().run(StartEvent::new()).await?;
/// assert_eq!(result, "cached copy, as fetch failed: http://example.test is unreachable");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepFailedEvent {
    /// The step that failed.
    pub step: String,
    /// The name of the event type it was handling.
    pub event: String,
    /// The event it was handling, as JSON; `null` if it could not be
    /// serialized, and then [`input_error`](Self::input_error) says why.
    pub input: serde_json::Value,
    /// Why [`input`](Self::input) is `null`: serde's error serializing the
    /// event (a map whose keys are not strings, say); `None` when it is the
    /// event.
    pub input_error: Option<String>,
    /// Its error with the causes (`{:#}`), or its panic's message.
    pub error: String,
    /// How many attempts it made (see `#[step(retry = ...)]`).
    pub attempts: u32,
    /// Each attempt's failure, oldest first: one per attempt, the last one
    /// being [`error`](Self::error).
    pub failures: Vec<AttemptFailure>,
    /// How long the invocation took, from the start of its first attempt to
    /// the end of its last.
    pub elapsed: Duration,
    /// Whether it panicked rather than returning an error. Panics are not
    /// retried: a panic is the last attempt.
    pub panicked: bool,
}

library_event!(
    "typed_workflows::",
    StepFailedEvent,
    Regular {
        step: "String",
        event: "String",
        input: "serde_json::Value",
        input_error: "Option<String>",
        error: "String",
        attempts: "u32",
        failures: "Vec<AttemptFailure>",
        elapsed: "Duration",
        panicked: "bool",
    }
);

/// One failed attempt of a step, in [`StepFailedEvent::failures`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AttemptFailure {
    /// Which attempt it was: 1 for the first.
    pub attempt: u32,
    /// When it failed, counted from the start of the first attempt.
    pub failed_after: Duration,
    /// Its error with the causes (`{:#}`), or its panic's message.
    pub error: String,
}

impl StepFailedEvent {
    /// The event for the step that catches the failure of the step `info`
    /// while it handled an `event`: `input` is that event as JSON, or why
    /// it could not be serialized; `failures` holds every attempt's, the
    /// last one's being the invocation's error.
    #[doc(hidden)]
    pub fn of(
        info: &StepInfo,
        event: &str,
        input: Result<serde_json::Value, String>,
        failures: Vec<AttemptFailure>,
        elapsed: Duration,
        panicked: bool,
    ) -> Self {
        let last = failures
            .last()
            .expect("an invocation that failed made at least one attempt");
        let (error, attempts) = (last.error.clone(), last.attempt);
        let (input, input_error) = match input {
            Ok(input) => (input, None),
            Err(why) => (serde_json::Value::Null, Some(why)),
        };
        Self {
            step: info.name.to_owned(),
            event: event.to_owned(),
            input,
            input_error,
            error,
            attempts,
            failures,
            elapsed,
            panicked,
        }
    }
}

impl AttemptFailure {
    /// The failure of attempt number `attempt`, `failed_after` the start of
    /// the first, with its `error` and causes.
    #[doc(hidden)]
    pub fn new(attempt: u32, failed_after: Duration, error: String) -> Self {
        Self {
            attempt,
            failed_after,
            error,
        }
    }
}

/// The step that catches the failures of the step at index `failed`: the
/// one that names it in `catches(...)`, else the one that catches every
/// step's, `catches(*)`. A step that catches failures has its own failures
/// caught by none: they fail the run.
pub const fn catcher_of(steps: &[StepInfo], failed: usize) -> Option<usize> {
    let name = steps[failed].name;
    if steps[failed].catches_failures() {
        return None;
    }
    let mut catch_all = None;
    let mut i = 0;
    while i < steps.len() {
        if contains_name(steps[i].catches, name) {
            return Some(i);
        }
        if steps[i].catches_all && catch_all.is_none() {
            catch_all = Some(i);
        }
        i += 1;
    }
    catch_all
}
