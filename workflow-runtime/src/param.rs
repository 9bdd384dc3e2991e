//! [`StepParam`]: what a step takes, one event, one of several events, or
//! the events a fan-out gathered.

use std::any::Any;

use crate::event::{AnyEvent, Event, EventInfo};

/// The event parameter of a step: an [`Event`], taken one at a time; an
/// enum derived with `#[derive(OneOf)]`, taken for an event of any of its
/// variants' types; or a `Vec` of an event, which gathers the events of that
/// type that the branches of a fan-out produce once they have all finished.
/// Known by its type, not by its spelling, so an alias of `Vec<E>` gathers
/// too.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event",
    label = "not an event",
    note = "add `#[event]` (from `typed_workflows::prelude`) to the definition of `{Self}`"
)]
pub trait StepParam: Send + 'static {
    /// The event types the step is invoked for.
    const ACCEPTS: &'static [EventInfo];

    /// The start event among them, or `Absent` (no event).
    type AsStart;

    /// Whether the step gathers a fan-out's events.
    const GATHERS: bool;

    /// The parameter made of an event routed to the step: `slot` is an
    /// `Option` of one of the types in [`ACCEPTS`](Self::ACCEPTS), which the
    /// routing checked, holding the event.
    fn routed(slot: &mut dyn Any) -> Self;

    /// The parameter made of the events a fan-out gathered.
    fn gather(events: Vec<AnyEvent>) -> Self;

    /// The index in [`ACCEPTS`](Self::ACCEPTS) of the event type it holds.
    fn accepted(&self) -> usize;

    /// A copy of the parameter, which a run keeps while the invocation it
    /// started with it is in flight, for a snapshot.
    fn duplicate(&self) -> Self;

    /// The events the parameter holds, for a snapshot: one, or each that a
    /// fan-out gathered.
    fn events(&self) -> Vec<AnyEvent>;
}

impl<E: Event> StepParam for E {
    const ACCEPTS: &'static [EventInfo] = &[E::INFO];
    type AsStart = E::AsStart;
    const GATHERS: bool = false;

    #[inline(always)]
    fn routed(slot: &mut dyn Any) -> Self {
        crate::route::take(slot)
    }

    fn gather(_events: Vec<AnyEvent>) -> Self {
        unreachable!("`{}` is taken one at a time, not gathered", E::NAME)
    }

    #[inline(always)]
    fn accepted(&self) -> usize {
        0
    }

    #[inline(always)]
    fn duplicate(&self) -> Self {
        self.clone()
    }

    fn events(&self) -> Vec<AnyEvent> {
        vec![AnyEvent::new(self.clone())]
    }
}

impl<E: Event> StepParam for Vec<E> {
    const ACCEPTS: &'static [EventInfo] = &[E::INFO];
    type AsStart = E::AsStart;
    const GATHERS: bool = true;

    fn routed(_slot: &mut dyn Any) -> Self {
        unreachable!("`{}` is gathered, not routed one at a time", E::NAME)
    }

    fn gather(events: Vec<AnyEvent>) -> Self {
        events.into_iter().map(gathered).collect()
    }

    #[inline(always)]
    fn accepted(&self) -> usize {
        0
    }

    fn duplicate(&self) -> Self {
        self.clone()
    }

    fn events(&self) -> Vec<AnyEvent> {
        self.iter().cloned().map(AnyEvent::new).collect()
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

/// The event in `slot`, if it is an `Option<E>` that holds one: how the
/// `StepParam` of a `#[derive(OneOf)]` enum finds the variant of an event
/// routed to it.
#[inline]
pub fn routed_as<E: Event>(slot: &mut dyn Any) -> Option<E> {
    slot.downcast_mut::<Option<E>>().and_then(Option::take)
}
