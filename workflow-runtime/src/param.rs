//! [`StepParam`]: what a step takes, one event or the events a fan-out
//! gathered.

use crate::event::{AnyEvent, Event};

/// The event parameter of a step: an [`Event`], taken one at a time, or a
/// `Vec` of one, which gathers the events of that type that the branches of
/// a fan-out produce once they have all finished. Known by its type, not by
/// its spelling, so an alias of `Vec<E>` gathers too.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event",
    label = "not an event",
    note = "add `#[derive(Debug, Clone, Serialize, Deserialize, Event)]` to the definition of `{Self}`"
)]
pub trait StepParam: Send + 'static {
    /// The event type the step is invoked for.
    type Event: Event;

    /// Whether the step gathers a fan-out's `Event`s.
    const GATHERS: bool;

    /// The parameter made of the events a fan-out gathered.
    fn gather(events: Vec<AnyEvent>) -> Self;
}

impl<E: Event> StepParam for E {
    type Event = E;
    const GATHERS: bool = false;

    fn gather(_events: Vec<AnyEvent>) -> Self {
        unreachable!("`{}` is taken one at a time, not gathered", E::NAME)
    }
}

impl<E: Event> StepParam for Vec<E> {
    type Event = E;
    const GATHERS: bool = true;

    fn gather(events: Vec<AnyEvent>) -> Self {
        events.into_iter().map(gathered).collect()
    }
}

/// A gathered event, as the type the gathering step takes.
fn gathered<E: Event>(event: AnyEvent) -> E {
    match event.downcast::<E>() {
        Ok(event) => event,
        Err(event) => unreachable!(
            "a fan-out gathered a `{}` for a step that takes another type",
            event.name()
        ),
    }
}
