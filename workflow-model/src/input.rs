//! Human in the loop, as events: [`InputEvent`], what a run's caller may
//! send in, the built-in [`InputRequiredEvent`] and [`HumanResponseEvent`],
//! and [`WaitTimedOut`], the error of a wait that ran out of time.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::event::{Event, library_event};

/// An event the run's caller may send in while the run goes on. Implemented
/// by `#[derive(Event)]` with `#[event(input)]`, and by
/// [`HumanResponseEvent`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an input event",
    label = "a run's caller can only send events marked as input",
    note = "derive it with `#[event(input)]`, so that the workflow's graph knows its caller sends it"
)]
pub trait InputEvent: Event {
    /// `Self`: a bound on `<E as InputEvent>::Itself` is only checked once
    /// `E` is known to be an input event, so that an event that is not one
    /// is told so once, not also that no step takes it.
    #[doc(hidden)]
    type Itself: ?Sized;
}

/// Asks the run's caller for input: return it from a step, or publish it
/// while waiting ([`WaitForEvent::publishing`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WaitForEvent.html#method.publishing)); the caller answers with a
/// [`HumanResponseEvent`]. May leave the workflow with no step accepting it.
///
/// A step may also return it, as in LlamaIndex, and another step accept the
/// answer, which then starts from the caller's event (to wait in place
/// instead, see [`StepContext::wait_for_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.wait_for_event)):
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
///
/// struct Survey;
///
/// #[workflow_impl]
/// impl Survey {
///     #[step]
///     async fn ask(&self, _start: StartEvent) -> InputRequiredEvent {
///         InputRequiredEvent { prefix: "Favourite whale? ".into() }
///     }
///
///     #[step]
///     async fn answer(&self, answer: HumanResponseEvent) -> StopEvent<String> {
///         StopEvent::new(answer.response)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Survey.runner().run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// while let Some(event) = events.next().await {
///     if event.is::<InputRequiredEvent>() {
///         handler.send_event(HumanResponseEvent { response: "the white one".into() })?;
///     }
/// }
/// assert_eq!(handler.await?, "the white one");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRequiredEvent {
    /// What to show the person asked, like `"Your name: "`.
    pub prefix: String,
}

/// The run's caller's answer to an [`InputRequiredEvent`]: an input event.
///
/// The examples on [`InputRequiredEvent`] and
/// [`StepContext::wait_for_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.wait_for_event) show both ways a step takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanResponseEvent {
    /// What the person answered.
    pub response: String,
}

library_event!(
    "typed_workflows::",
    InputRequiredEvent,
    Outbound { prefix: "String" }
);
library_event!(
    "typed_workflows::",
    HumanResponseEvent,
    Input { response: "String" }
);

impl InputEvent for HumanResponseEvent {
    type Itself = Self;
}

/// No event a step waited for came within its timeout
/// ([`WaitForEvent::timeout`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WaitForEvent.html#method.timeout)).
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, WaitTimedOut};
///
/// struct Patient;
///
/// #[workflow_impl]
/// impl Patient {
///     #[step(waits_for(HumanResponseEvent))]
///     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<String> {
///         let answer = ctx
///             .wait_for_event::<HumanResponseEvent>()
///             .timeout(Duration::from_millis(10))
///             .await;
///         match answer {
///             Ok(answer) => StopEvent::new(answer.response),
///             Err(WaitTimedOut { after, .. }) => StopEvent::new(format!("no answer in {after:?}")),
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// assert_eq!(Patient.runner().run(StartEvent::new()).await?, "no answer in 10ms");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no `{event}` came within {after:?}")]
pub struct WaitTimedOut {
    /// The event type waited for.
    pub event: &'static str,
    /// How long the step waited.
    pub after: Duration,
}
