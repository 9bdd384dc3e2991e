//! The last event of a run's stream when the run ends without its stop
//! event, as LlamaIndex's `WorkflowTimedOutEvent`, `WorkflowCancelledEvent`
//! and `WorkflowFailedEvent`: a caller that only reads the stream learns
//! from it why the stream ended.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::WorkflowError;
use crate::event::{AnyEvent, library_event};

/// The run took longer than its timeout
/// ([`WorkflowError::TimedOut`]).
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::WorkflowTimedOutEvent;
/// use typed_workflows::prelude::*;
///
/// struct Dreamer;
///
/// #[workflow_impl]
/// impl Dreamer {
///     #[step]
///     async fn dream(&self, _start: StartEvent) -> StopEvent<()> {
///         std::future::pending::<()>().await;
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Dreamer.runner().timeout(Duration::from_millis(10)).run(StartEvent::new());
/// let events: Vec<AnyEvent> = handler.stream_events()?.collect().await;
/// let timed_out = events.last().unwrap().downcast_ref::<WorkflowTimedOutEvent>().unwrap();
/// assert_eq!(timed_out.active_steps, ["dream"]);
/// assert!(handler.await.is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowTimedOutEvent {
    /// The timeout that ran out.
    pub timeout: Duration,
    /// The steps still running, each named once.
    pub active_steps: Vec<String>,
}

/// The run was cancelled through its handler, or the handler was dropped
/// ([`WorkflowError::Cancelled`]).
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, WorkflowCancelledEvent};
///
/// struct Interview;
///
/// #[workflow_impl]
/// impl Interview {
///     #[step]
///     async fn answer(&self, answer: HumanResponseEvent) -> StopEvent<String> {
///         StopEvent::new(answer.response)
///     }
///
///     #[step]
///     async fn open(&self, _start: StartEvent) -> Option<StopEvent<String>> {
///         None // wait for the caller's answer
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Interview.runner().run(StartEvent::new());
/// let events = handler.stream_events()?;
/// handler.cancel();
/// let events: Vec<AnyEvent> = events.collect().await;
/// assert!(events.last().unwrap().is::<WorkflowCancelledEvent>());
/// assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowCancelledEvent {}

/// The run failed: a step returned an error or panicked, the run stalled,
/// or it panicked outside its steps.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::WorkflowFailedEvent;
/// use typed_workflows::anyhow::bail;
///
/// struct Broken;
///
/// #[workflow_impl]
/// impl Broken {
///     #[step]
///     async fn only(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
///         bail!("out of coffee")
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Broken.runner().run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// let last = events.next().await.expect("the stream says why it ended");
/// let failed = last.downcast_ref::<WorkflowFailedEvent>().unwrap();
/// assert_eq!(failed.step.as_deref(), Some("only"));
/// assert_eq!(failed.error, "step `only` failed while handling `StartEvent`: out of coffee");
/// assert!(events.next().await.is_none());
/// assert!(handler.await.is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowFailedEvent {
    /// The step that failed or panicked, if a step did.
    pub step: Option<String>,
    /// The name of the event type that step was handling.
    pub event: Option<String>,
    /// What went wrong, as [`WorkflowError`] says it, followed by the
    /// step's error and its causes: `step `fetch` failed while handling
    /// `Url`: connection refused`.
    pub error: String,
}

library_event!("typed_workflows::", WorkflowTimedOutEvent);
library_event!("typed_workflows::", WorkflowCancelledEvent);
library_event!("typed_workflows::", WorkflowFailedEvent);

/// The event that ends the stream of a run that ended with `error`.
pub fn terminal_event(error: &WorkflowError) -> AnyEvent {
    match error {
        WorkflowError::TimedOut {
            after,
            active_steps,
        } => AnyEvent::new(WorkflowTimedOutEvent {
            timeout: *after,
            active_steps: active_steps.iter().map(|&step| step.to_owned()).collect(),
        }),
        WorkflowError::Cancelled | WorkflowError::Suspended => {
            AnyEvent::new(WorkflowCancelledEvent {})
        }
        WorkflowError::StepFailed { step, event, .. }
        | WorkflowError::StepPanicked { step, event, .. } => AnyEvent::new(WorkflowFailedEvent {
            step: Some((*step).to_owned()),
            event: Some((*event).to_owned()),
            error: error.with_causes(),
        }),
        WorkflowError::RunPanicked { .. } | WorkflowError::Stalled { .. } => {
            AnyEvent::new(WorkflowFailedEvent {
                step: None,
                event: None,
                error: error.to_string(),
            })
        }
        WorkflowError::Store { .. } => AnyEvent::new(WorkflowFailedEvent {
            step: None,
            event: None,
            error: error.with_causes(),
        }),
    }
}
