//! Type-level folds that find a workflow's start and stop event types from the
//! events its steps accept and produce, so that the choice depends on types,
//! not on how they are spelled.
//!
//! Every event names itself in [`Event::AsStart`] and [`Event::AsStop`] when it
//! plays that role, and [`Absent`] otherwise. The `workflow!` macro folds those
//! over all steps with [`JoinStart`] and [`JoinStop`]: two different start (or
//! stop) types have no `Join` impl, which is the compile error users see.

use std::convert::Infallible;

use crate::event::{AnyEvent, Event};
use crate::start::{StartEvent, StartEventType};
use crate::stop::StopEventType;

/// No event of the role in question: the neutral element of the folds.
#[derive(Debug, Clone, Copy)]
pub enum Absent {}

macro_rules! role_join {
    ($(#[$doc:meta])* $name:ident, $message:literal, $note:literal) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(message = $message, label = "in this workflow", note = $note)]
        pub trait $name<Next> {
            /// The one type of that role, or `Absent` (no event).
            type Out;
        }

        impl $name<Absent> for Absent {
            type Out = Absent;
        }

        impl<T: Event> $name<T> for Absent {
            type Out = T;
        }

        impl<T: Event> $name<Absent> for T {
            type Out = T;
        }

        impl<T: Event> $name<T> for T {
            type Out = T;
        }
    };
}

role_join!(
    /// Folds the start events of a workflow's steps into the one start type.
    JoinStart,
    "the steps of this workflow accept two different start events, `{Self}` and `{Next}`",
    "a workflow has one start event type: make every step that begins the run accept the same one"
);

role_join!(
    /// Folds the stop events of a workflow's steps into the one stop type.
    JoinStop,
    "the steps of this workflow return two different stop events, `{Self}` and `{Next}`",
    "a workflow has one stop event type, which fixes what awaiting its handler yields: return the same one from every step that ends the run"
);

/// A workflow without a stop event does not compile (the graph checks say
/// why); this impl only keeps that one error from causing others.
impl StopEventType for Absent {
    type Output = Infallible;

    fn into_output(self) -> Infallible {
        match self {}
    }

    fn to_any_event(&self) -> AnyEvent {
        match *self {}
    }
}

/// Folds the events of one role leniently: the first that is not
/// `Absent` (no event). The workflow's `Start` and `Stop` types are folded with it,
/// so that a conflict, which the strict folds ([`JoinStart`], [`JoinStop`])
/// report once in a check of their own, gives its types no error, and their
/// users none either.
pub trait Pick<Next> {
    /// The first event of the role, or `Absent` (no event).
    type Out;
}

impl<Next> Pick<Next> for Absent {
    type Out = Next;
}

impl<T: Event, Next> Pick<Next> for T {
    type Out = T;
}

/// The start event of a workflow: the one its steps accept, or
/// [`StartEvent`] if none does. Such a workflow does not compile (the graph
/// checks say why); the default keeps its caller's `run(StartEvent::new())`
/// from a second error.
pub trait OrStartEvent {
    /// The start event type.
    type Out: StartEventType;
}

impl OrStartEvent for Absent {
    type Out = StartEvent;
}

impl<T: Event<AsStart = T>> OrStartEvent for T {
    type Out = T;
}
