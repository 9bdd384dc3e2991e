//! [`StopEvent`], the built-in event that ends a run, and [`StopEventType`],
//! what every stop event has in common.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::event::{AnyEvent, Event, EventKind};

/// The built-in stop event. A step that returns it ends the run, and awaiting
/// the run's handler yields its `result`.
///
/// ```
/// use typed_workflows::StopEvent;
///
/// let stop = StopEvent::new("done".to_string());
/// assert_eq!(stop.into_result(), "done");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopEvent<T> {
    /// What the run yields.
    pub result: T,
}

impl<T> StopEvent<T> {
    /// A stop event carrying `result`.
    pub fn new(result: T) -> Self {
        Self { result }
    }

    /// The result it carries.
    pub fn into_result(self) -> T {
        self.result
    }
}

impl<T> Event for StopEvent<T>
where
    T: Clone + std::fmt::Debug + Send + Serialize + DeserializeOwned + 'static,
{
    const NAME: &'static str = "StopEvent";
    const KEY: &'static str = "typed_workflows::StopEvent";
    const KIND: EventKind = EventKind::Stop;
    const FIELDS: &'static [(&'static str, &'static str)] = &[("result", "the run's output")];
    type AsStart = crate::roles::Absent;
    type AsStop = Self;
}

/// An event that ends a run: [`StopEvent`], or a user event derived with
/// `#[event(stop)]`. Its `Output` is what awaiting the handler yields.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stop event",
    note = "return `StopEvent<T>` from a step, or derive `Event` with `#[event(stop)]` on your own stop event"
)]
pub trait StopEventType: Send + 'static {
    /// What awaiting the handler of a run yields.
    type Output: Send + 'static;

    /// Turns the stop event into the run's result.
    fn into_output(self) -> Self::Output;

    /// A copy of the event for the stream, where it is the last item.
    #[doc(hidden)]
    fn to_any_event(&self) -> AnyEvent;
}

impl<T> StopEventType for StopEvent<T>
where
    StopEvent<T>: Event,
    T: Send + 'static,
{
    type Output = T;

    fn into_output(self) -> T {
        self.result
    }

    fn to_any_event(&self) -> AnyEvent {
        AnyEvent::new(self.clone())
    }
}
