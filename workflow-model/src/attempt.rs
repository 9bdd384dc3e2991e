//! What the attempts of a step leave behind: [`StepTimedOut`], the error of
//! an attempt that ran out of time, and [`PastAttempt`], a failed attempt as
//! a retried one sees it.

use std::time::Duration;

/// An attempt of a step took longer than its `#[step(timeout = ...)]`: the
/// error the attempt fails with, which a
/// [`RetryPolicy::retry_if`](crate::RetryPolicy::retry_if) predicate can
/// look for with `error.is::<StepTimedOut>()`.
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::prelude::*;
/// use typed_workflows::{StepTimedOut, WorkflowError};
///
/// struct Stuck;
///
/// #[workflow_impl]
/// impl Stuck {
///     #[step(timeout = Duration::from_millis(10))]
///     async fn hang(&self, _start: StartEvent) -> StopEvent<()> {
///         std::future::pending::<()>().await;
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let Err(WorkflowError::StepFailed { source, .. }) = Stuck.runner().run(StartEvent::new()).await else {
///     panic!("the step should have timed out");
/// };
/// assert_eq!(source.downcast_ref::<StepTimedOut>().unwrap().after, Duration::from_millis(10));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the step took longer than its timeout of {after:?}")]
pub struct StepTimedOut {
    /// The step's timeout.
    pub after: Duration,
}

/// An attempt of a step that failed, as [`Retrying::failures`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.Retrying.html#method.failures) lists it.
#[derive(Debug)]
#[non_exhaustive]
pub struct PastAttempt {
    /// Which attempt it was: 1 for the first.
    pub attempt: u32,
    /// When it failed, counted from the start of the first attempt.
    pub failed_after: Duration,
    /// Its error.
    pub error: anyhow::Error,
}

impl PastAttempt {
    /// The failed attempt number `attempt`, `failed_after` the start of the
    /// first, with its `error`.
    #[doc(hidden)]
    pub fn new(attempt: u32, failed_after: Duration, error: anyhow::Error) -> Self {
        Self {
            attempt,
            failed_after,
            error,
        }
    }
}
