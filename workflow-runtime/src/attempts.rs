//! One invocation of a step as its options say: each attempt bounded by
//! `#[step(timeout = ...)]`, and attempts repeated under
//! `#[step(retry = ...)]`, each retry told what failed before it.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;
use workflow_model::{PastAttempt, StepTimedOut};

use crate::answers::Answers;
use crate::context::Context;
use crate::recover::Panicked;
use crate::report::Happening;
use crate::run::invocation_panic_message;
use crate::workflow::Workflow;

/// What a retried step's attempt knows of the attempts before it, from
/// [`StepContext::retrying`](crate::StepContext::retrying): each failure,
/// oldest first, and how long ago the first attempt began.
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::prelude::*;
/// use typed_workflows::anyhow::bail;
/// use typed_workflows::RetryPolicy;
///
/// const TWICE: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(2);
///
/// struct Fetch;
///
/// #[workflow_impl]
/// impl Fetch {
///     #[step(retry = TWICE)]
///     async fn fetch(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
///         let Some(retrying) = ctx.retrying() else {
///             bail!("the mirror is down");
///         };
///         assert_eq!(retrying.failures().len(), 1);
///         assert!(retrying.elapsed() >= retrying.failures()[0].failed_after);
///         Ok(StopEvent::new(format!("fetched again after: {}", retrying.last_error())))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let result = Fetch.runner().run(StartEvent::new()).await?;
/// assert_eq!(result, "fetched again after: the mirror is down");
/// # Ok(())
/// # }
/// ```
pub struct Retrying {
    first_began: Instant,
    failures: Vec<PastAttempt>,
}

impl Retrying {
    /// The attempts that failed before this one, oldest first: at least one.
    pub fn failures(&self) -> &[PastAttempt] {
        &self.failures
    }

    /// The error the attempt before this one failed with.
    pub fn last_error(&self) -> &anyhow::Error {
        &self
            .failures
            .last()
            .expect("a retry follows a failed attempt")
            .error
    }

    /// How long ago the invocation's first attempt began.
    pub fn elapsed(&self) -> Duration {
        self.first_began.elapsed()
    }
}

impl fmt::Debug for Retrying {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrying")
            .field("failures", &self.failures)
            .field("elapsed", &self.elapsed())
            .finish()
    }
}

/// Which attempt of an invocation a step's context belongs to, and, from
/// the second on, what the attempts before it ended with.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Attempt {
    pub(crate) number: u32,
    pub(crate) retrying: Option<Arc<Retrying>>,
}

impl Attempt {
    /// The first attempt, the only one of a step that is not retried.
    pub const FIRST: Self = Self {
        number: 1,
        retrying: None,
    };
}

/// The end of an invocation attempted more than once, or of one whose
/// attempt panicked; the run takes it apart for
/// [`WorkflowError::StepFailed`](crate::WorkflowError::StepFailed) or the
/// [`StepFailedEvent`](crate::StepFailedEvent) of the step that catches it.
#[derive(Debug)]
pub(crate) struct Attempted {
    /// The failed attempts before the last, oldest first.
    pub(crate) earlier: Vec<PastAttempt>,
    /// The last attempt's number and error.
    pub(crate) attempts: u32,
    pub(crate) last: anyhow::Error,
    /// When the last attempt failed, from the start of the first.
    pub(crate) elapsed: Duration,
}

impl fmt::Display for Attempted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "after {} attempts: {:#}", self.attempts, self.last)
    }
}

impl std::error::Error for Attempted {}

/// Runs `attempt` with `event` and the attempt it is until it succeeds or
/// the step's retry policy gives up, each attempt bounded by the step's
/// timeout. The event is cloned only for attempts that may be followed by
/// another. A panicking attempt ends the invocation: panics are not retried.
///
/// `answers`, for a step that waits for input or is retried, records the
/// attempt for a snapshot, and says which one a resumed invocation is on.
///
/// A zero delay starts the next attempt at once, with no timer; it only
/// yields to the runtime once the task's cooperative budget is spent, so a
/// step retried many times at no delay cannot hold its thread.
pub async fn attempts<W, E, T, F, Fut>(
    ctx: &Context<W>,
    step: usize,
    event: E,
    answers: Option<&Answers>,
    mut attempt: F,
) -> anyhow::Result<T>
where
    W: Workflow,
    E: Clone,
    F: FnMut(E, Attempt) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let info = &W::STEPS[step];
    let allowed = info.retry.map_or(1, |policy| policy.max_attempts_allowed());
    let seed = ctx.run_id().seed();
    let first_began = Instant::now();
    let mut event = Some(event);
    // An invocation resumed from a snapshot goes on with the attempt it
    // was on; the failures before it are not known any more.
    let mut number = answers.map_or(1, Answers::attempt);
    // What the attempts so far ended with, shared with the context of the
    // attempt running; `None` until one has failed.
    let mut retrying: Option<Arc<Retrying>> = None;
    loop {
        let input = if number < allowed {
            event.clone()
        } else {
            event.take()
        };
        let input = input.expect("the event is kept until the last attempt");
        let this = Attempt {
            number,
            retrying: retrying.clone(),
        };
        let attempted = AssertUnwindSafe(attempt(input, this)).catch_unwind();
        let result = match info.timeout {
            Some(after) => tokio::time::timeout(after, attempted)
                .await
                .unwrap_or_else(|_| Ok(Err(StepTimedOut { after }.into()))),
            None => attempted.await,
        };
        // Panics are not retried.
        let (error, policy) = match result {
            Ok(Ok(output)) => return Ok(output),
            Ok(Err(error)) => (error, info.retry),
            Err(payload) => (Panicked(invocation_panic_message(&*payload)).into(), None),
        };
        let failed_after = first_began.elapsed();
        let delay = policy.and_then(|policy| policy.next_delay(&error, number, failed_after, seed));
        // The attempt has ended, and its context with it: the history is
        // this loop's alone again.
        let history = retrying.as_mut().map(|shared| {
            Arc::get_mut(shared).expect("an attempt's context ends with the attempt")
        });
        let Some(delay) = delay else {
            let earlier = history.map(|history| std::mem::take(&mut history.failures));
            return Err(ended(
                earlier.unwrap_or_default(),
                number,
                error,
                failed_after,
            ));
        };
        ctx.report(&Happening::Retrying {
            step: info.name,
            attempt: number,
            delay,
            error: &error,
        });
        let failure = PastAttempt::new(number, failed_after, error);
        match history {
            Some(history) => history.failures.push(failure),
            None => {
                // Room for the failures of the attempts still allowed, as
                // far as a `Vec` would first grow: a push after the first
                // failure must not move the history.
                let room = (allowed - number).min(4) as usize;
                let mut failures = Vec::with_capacity(room);
                failures.push(failure);
                retrying = Some(Arc::new(Retrying {
                    first_began,
                    failures,
                }));
            }
        }
        if delay.is_zero() {
            tokio::task::coop::consume_budget().await;
        } else {
            tokio::time::sleep(delay).await;
        }
        number += 1;
        // The first attempt's is already the record's: a resumed
        // invocation's from the snapshot, a fresh one's the default.
        if let Some(answers) = answers {
            answers.begin_attempt(number);
        }
    }
}

/// The error an invocation ends with: the last attempt's, with the earlier
/// ones if there were any.
fn ended(
    earlier: Vec<PastAttempt>,
    attempts: u32,
    last: anyhow::Error,
    elapsed: Duration,
) -> anyhow::Error {
    if earlier.is_empty() {
        return last;
    }
    Attempted {
        earlier,
        attempts,
        last,
        elapsed,
    }
    .into()
}
