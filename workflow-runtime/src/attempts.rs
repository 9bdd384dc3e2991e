//! One invocation of a step as its options say: each attempt bounded by
//! `#[step(timeout = ...)]`, and attempts repeated under
//! `#[step(retry = ...)]`.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::context::Context;
use crate::workflow::Workflow;

/// An attempt of a step took longer than its `#[step(timeout = ...)]`: the
/// error the attempt fails with, which a
/// [`RetryPolicy::retry_if`](crate::RetryPolicy::retry_if) predicate can
/// look for with `error.is::<StepTimedOut>()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the step took longer than its timeout of {after:?}")]
pub struct StepTimedOut {
    /// The step's timeout.
    pub after: Duration,
}

/// The last error of a step that was attempted more than once; the run
/// takes it apart into [`WorkflowError::StepFailed`](crate::WorkflowError::StepFailed).
#[derive(Debug)]
pub(crate) struct Attempted {
    attempts: u32,
    last: anyhow::Error,
}

impl fmt::Display for Attempted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "after {} attempts: {:#}", self.attempts, self.last)
    }
}

impl std::error::Error for Attempted {}

/// The error a step's invocation ended with, and how many attempts it made.
pub(crate) fn attempts_of(error: anyhow::Error) -> (anyhow::Error, u32) {
    match error.downcast::<Attempted>() {
        Ok(attempted) => (attempted.last, attempted.attempts),
        Err(error) => (error, 1),
    }
}

/// Runs `attempt` with `event` and the attempt's number (from 1) until it
/// succeeds or the step's retry policy gives up, each attempt bounded by the
/// step's timeout. The event is cloned only for attempts that may be
/// followed by another.
pub async fn attempts<W, E, T, F, Fut>(
    ctx: &Context<W>,
    step: usize,
    event: E,
    mut attempt: F,
) -> anyhow::Result<T>
where
    W: Workflow,
    E: Clone,
    F: FnMut(E, u32) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let info = &W::STEPS[step];
    let allowed = info.retry.map_or(1, |policy| policy.max_attempts_allowed());
    let seed = ctx.run_id().as_u64();
    let first = Instant::now();
    let mut event = Some(event);
    let mut number = 1;
    loop {
        let this = if number < allowed {
            event.clone()
        } else {
            event.take()
        };
        let this = this.expect("the event is kept until the last attempt");
        let attempted = attempt(this, number);
        let result = match info.timeout {
            Some(after) => tokio::time::timeout(after, attempted)
                .await
                .unwrap_or_else(|_| Err(StepTimedOut { after }.into())),
            None => attempted.await,
        };
        let error = match result {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        let delay = info
            .retry
            .and_then(|policy| policy.next_delay(&error, number, first.elapsed(), seed));
        let Some(delay) = delay else {
            return Err(match number {
                1 => error,
                attempts => Attempted {
                    attempts,
                    last: error,
                }
                .into(),
            });
        };
        tracing::info!(
            step = info.name,
            attempt = number,
            ?delay,
            error = %format_args!("{error:#}"),
            "step failed; trying again"
        );
        tokio::time::sleep(delay).await;
        number += 1;
    }
}
