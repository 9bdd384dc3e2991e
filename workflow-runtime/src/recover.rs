//! Recovering from a step's failure: `#[step(catches(other_step))]` makes a
//! step the handler of another step's final failure, and
//! `#[step(catches(*))]` the handler of every other step's (as LlamaIndex's
//! `@catch_error`), invoked with a [`StepFailedEvent`].

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::attempts::{Attempted, PastAttempt};
use crate::check::contains_name;
use crate::error::WorkflowError;
use crate::event::library_event;
use crate::run::{Failure, invocation_panic_message};
use crate::workflow::StepInfo;

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

/// A step's attempt panicked; the message is the panic's. The error a
/// panic becomes where the run catches it inside a step's invocation, to
/// keep what the invocation knows with it.
#[derive(Debug)]
pub(crate) struct Panicked(pub(crate) String);

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Panicked {}

/// A caught step's error, with the event it was handling and how long it
/// took, for the step that catches it; the run takes it apart.
#[derive(Debug)]
struct FailedWith {
    error: anyhow::Error,
    input: Result<serde_json::Value, String>,
    elapsed: Duration,
}

impl fmt::Display for FailedWith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for FailedWith {}

/// Runs `invocation` of a step whose failures another step catches: keeps
/// a copy of `event`, serialized only if the step fails, and times it, so
/// that the catching step learns what the step was handling and when it
/// failed. A panic fails it too, with the same.
pub async fn caught<E, T, F, Fut>(event: E, invocation: F) -> anyhow::Result<T>
where
    E: Clone + Serialize,
    F: FnOnce(E) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let kept = event.clone();
    let began = Instant::now();
    let error = match AssertUnwindSafe(invocation(event)).catch_unwind().await {
        Ok(Ok(output)) => return Ok(output),
        Ok(Err(error)) => error,
        Err(payload) => Panicked(invocation_panic_message(&*payload)).into(),
    };
    let elapsed = began.elapsed();
    Err(FailedWith {
        error,
        input: serde_json::to_value(&kept).map_err(|error| error.to_string()),
        elapsed,
    }
    .into())
}

/// How a step's invocation ended, taken apart from the error it failed
/// with: into the error that fails the run, or the event for the step that
/// catches the failure.
pub(crate) struct Failed {
    /// The last attempt's error, or its panic's message.
    last: Result<anyhow::Error, String>,
    attempts: u32,
    earlier: Vec<PastAttempt>,
    /// When the last attempt failed, if the invocation was retried.
    retried_for: Option<Duration>,
    /// The input and timing kept for a step that another catches.
    kept: Option<(Result<serde_json::Value, String>, Duration)>,
}

impl Failed {
    pub(crate) fn of(failure: Failure) -> Self {
        let error = match failure {
            Failure::Error(error) => error,
            Failure::Panic(message) => Panicked(message).into(),
        };
        let (error, kept) = match error.downcast::<FailedWith>() {
            Ok(failed) => (failed.error, Some((failed.input, failed.elapsed))),
            Err(error) => (error, None),
        };
        let (last, attempts, earlier, retried_for) = match error.downcast::<Attempted>() {
            Ok(attempted) => (
                attempted.last,
                attempted.attempts,
                attempted.earlier,
                Some(attempted.elapsed),
            ),
            Err(error) => (error, 1, Vec::new(), None),
        };
        Self {
            last: match last.downcast::<Panicked>() {
                Ok(panic) => Err(panic.0),
                Err(error) => Ok(error),
            },
            attempts,
            earlier,
            retried_for,
            kept,
        }
    }

    /// The error that fails the run, naming the step `info` and the event
    /// it was handling.
    pub(crate) fn into_error(self, info: &StepInfo, event: &'static str) -> WorkflowError {
        match self.last {
            Ok(source) => WorkflowError::StepFailed {
                step: info.name,
                event,
                attempts: self.attempts,
                source,
            },
            Err(message) => WorkflowError::StepPanicked {
                step: info.name,
                event,
                message,
            },
        }
    }

    /// The event for the step that catches the failure of the step `info`
    /// while it handled an `event`.
    pub(crate) fn into_event(self, info: &StepInfo, event: &str) -> StepFailedEvent {
        let (input, elapsed) = self
            .kept
            .expect("`workflow!` keeps the input of every step another catches");
        let elapsed = self.retried_for.unwrap_or(elapsed);
        let error = match &self.last {
            Ok(error) => format!("{error:#}"),
            Err(message) => message.clone(),
        };
        let mut failures: Vec<AttemptFailure> = self
            .earlier
            .iter()
            .map(|past| AttemptFailure {
                attempt: past.attempt,
                failed_after: past.failed_after,
                error: format!("{:#}", past.error),
            })
            .collect();
        failures.push(AttemptFailure {
            attempt: self.attempts,
            failed_after: elapsed,
            error: error.clone(),
        });
        let (input, input_error) = match input {
            Ok(input) => (input, None),
            Err(why) => (serde_json::Value::Null, Some(why)),
        };
        StepFailedEvent {
            step: info.name.to_owned(),
            event: event.to_owned(),
            input,
            input_error,
            error,
            attempts: self.attempts,
            failures,
            elapsed,
            panicked: self.last.is_err(),
        }
    }
}

/// The step that catches the failures of the step at index `failed`: the
/// one that names it in `catches(...)`, else the one that catches every
/// step's, `catches(*)`. A step that catches failures has its own failures
/// caught by none: they fail the run.
pub(crate) const fn catcher_of(steps: &[StepInfo], failed: usize) -> Option<usize> {
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
