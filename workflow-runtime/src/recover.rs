//! Recovering from a step's failure: `#[step(catches(other_step))]` makes a
//! step the handler of another step's final failure, and
//! `#[step(catches(*))]` the handler of every other step's (as LlamaIndex's
//! `@catch_error`), invoked with a [`StepFailedEvent`].

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use serde::Serialize;
use tokio::time::Instant;
use workflow_model::{AttemptFailure, PastAttempt, StepFailedEvent, StepInfo, WorkflowError};

use crate::attempts::Attempted;
use crate::run::{Failure, invocation_panic_message};

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
            .map(|past| {
                AttemptFailure::new(past.attempt, past.failed_after, format!("{:#}", past.error))
            })
            .collect();
        failures.push(AttemptFailure::new(self.attempts, elapsed, error));
        StepFailedEvent::of(info, event, input, failures, elapsed, self.last.is_err())
    }
}
