//! The [`Event`] trait, its compile-time descriptor, and [`AnyEvent`], the
//! type-erased event that the caller's stream carries.

use std::any::Any;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A message that steps accept, return, send or write to the stream.
///
/// Implement it with `#[derive(Event)]`, never by hand: the derive fills in the
/// hidden items that the `workflow!` macro's compile-time checks rely on.
/// Events are plain serde data, so that the whole state of a run can be stored.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Query {
///     text: String,
/// }
///
/// assert_eq!(<Query as Event>::NAME, "Query");
/// ```
///
/// The derive takes one optional attribute, `#[event(...)]`, with one role
/// of:
/// - `start`: the event starts runs of the workflows whose steps accept it,
///   replacing the built-in [`StartEvent`](crate::StartEvent);
/// - `stop`: returning the event ends the run, and awaiting the handler yields
///   the event itself (see [`StopEvent`](crate::StopEvent) for the built-in one);
/// - `outbound`: the event is meant to leave the workflow, so a step may return
///   or send it although no step accepts it; it then goes to the event stream;
/// - `input`: the run's caller sends it in while the run goes on
///   ([`WorkflowHandler::send_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.send_event)), to
///   the steps that accept it or to a step waiting for it
///   ([`StepContext::wait_for_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.wait_for_event)); a
///   step that accepts it counts as an entry of the graph, as one that accepts
///   the start event does;
/// - `name = "..."`: the event's [`NAME`](Self::NAME), in place of the
///   type's name, beside a role or alone (`#[event(start, name = "Ask")]`).
///
/// A run records its events by their [`NAME`](Self::NAME), so a stored run
/// reads back only while each name stays: give an event the name it had
/// before the type was renamed, and it goes on matching. Two event types of
/// one workflow cannot share a name, which the `workflow!` macro checks
/// when it compiles the graph.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// // Called `Ask` once; the runs stored since know it by that name.
/// #[event(start, name = "Ask")]
/// struct Question {
///     text: String,
/// }
///
/// assert_eq!(<Question as Event>::NAME, "Ask");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event",
    label = "not an event",
    note = "add `#[event]` (from `typed_workflows::prelude`) to the definition of `{Self}`"
)]
pub trait Event: Clone + fmt::Debug + Send + Serialize + DeserializeOwned + 'static {
    /// The event's name, as shown in logs, errors and graphs, and by which
    /// a run records its events: the type's name, or the one given with
    /// `#[event(name = "...")]`; unique among the events of a workflow.
    const NAME: &'static str;

    /// Identifies the type in compile-time checks, where `TypeId` cannot be
    /// compared: unique per type definition.
    #[doc(hidden)]
    const KEY: &'static str;

    /// The role the event plays in a workflow.
    #[doc(hidden)]
    const KIND: EventKind;

    /// `Self` for start events, `Absent` (no event) otherwise.
    #[doc(hidden)]
    type AsStart;

    /// `Self` for stop events, `Absent` (no event) otherwise.
    #[doc(hidden)]
    type AsStop;

    /// A hash of [`KEY`](Self::KEY), which the compile-time checks compare
    /// first: comparing keys byte by byte would make them slow.
    #[doc(hidden)]
    const ID: u64 = crate::check::fingerprint(Self::KEY);

    /// The type's fields as written in its definition, name and type, for
    /// the graph's drawing: a tuple struct's are named `0`, `1`, ...; an
    /// enum's are its variants, each with `variant` and what it holds.
    #[doc(hidden)]
    const FIELDS: &'static [(&'static str, &'static str)] = &[];

    /// The compile-time descriptor of this event type.
    #[doc(hidden)]
    const INFO: EventInfo = EventInfo {
        key: Self::KEY,
        id: Self::ID,
        name: Self::NAME,
        kind: Self::KIND,
        fields: Self::FIELDS,
        decode: decode::<Self>,
    };
}

/// Makes an `E` of its serde representation, erased: how a snapshot's
/// events become typed again, found by their stable name.
fn decode<E: Event>(value: serde_json::Value) -> serde_json::Result<AnyEvent> {
    serde_json::from_value::<E>(value).map(AnyEvent::new)
}

/// The role of an event type in a workflow's graph.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Routed from step to step.
    Regular,
    /// Begins a run.
    Start,
    /// Ends a run.
    Stop,
    /// May leave the workflow with no step accepting it.
    Outbound,
    /// Sent into a run by its caller
    /// ([`WorkflowHandler::send_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.send_event)).
    Input,
}

/// What the compile-time checks and the graph know of an event type.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct EventInfo {
    /// See [`Event::KEY`].
    pub key: &'static str,
    /// See [`Event::ID`].
    pub id: u64,
    /// See [`Event::NAME`].
    pub name: &'static str,
    /// See [`Event::KIND`].
    pub kind: EventKind,
    /// See [`Event::FIELDS`].
    pub fields: &'static [(&'static str, &'static str)],
    /// Makes the event of its JSON, erased.
    pub decode: fn(serde_json::Value) -> serde_json::Result<AnyEvent>,
}

/// An event of any type, as the caller's event stream yields it.
///
/// Find out what it is with [`downcast_ref`](Self::downcast_ref) or
/// [`name`](Self::name):
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Progress {
///     msg: String,
/// }
///
/// let event = AnyEvent::new(Progress { msg: "halfway".into() });
/// assert_eq!(event.name(), "Progress");
/// assert_eq!(event.downcast_ref::<Progress>().unwrap().msg, "halfway");
/// assert_eq!(event.to_json().unwrap()["msg"], "halfway");
/// ```
pub struct AnyEvent(Box<dyn ErasedEvent>);

impl AnyEvent {
    /// Erases the type of `event`.
    pub fn new<E: Event>(event: E) -> Self {
        Self(Box::new(event))
    }

    /// The event's [`Event::NAME`].
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether the event is an `E`.
    pub fn is<E: Event>(&self) -> bool {
        self.0.as_any().is::<E>()
    }

    /// The event as an `E`, if it is one.
    pub fn downcast_ref<E: Event>(&self) -> Option<&E> {
        self.0.as_any().downcast_ref()
    }

    /// The event as an `E`, or the event unchanged if it is not one.
    pub fn downcast<E: Event>(self) -> Result<E, Self> {
        if self.is::<E>() {
            let any: Box<dyn Any> = self.0.into_any();
            Ok(*any.downcast::<E>().expect("checked by `is` just above"))
        } else {
            Err(self)
        }
    }

    /// The event as JSON, with its serde representation.
    pub fn to_json(&self) -> serde_json::Result<serde_json::Value> {
        self.0.to_json()
    }

    /// The `TypeId` of the event's type.
    #[doc(hidden)]
    pub fn type_id(&self) -> std::any::TypeId {
        self.0.as_any().type_id()
    }

    /// The event in a box as an `Option` of its type, holding it: what a
    /// step's routing takes an event out of (see `StepParam::routed`).
    #[doc(hidden)]
    pub fn into_slot(self) -> Box<dyn Any> {
        self.0.into_slot()
    }
}

impl Clone for AnyEvent {
    fn clone(&self) -> Self {
        Self(self.0.clone_box())
    }
}

impl fmt::Debug for AnyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.debug(f)
    }
}

/// The object-safe face of [`Event`], implemented for every event.
trait ErasedEvent: Send {
    fn name(&self) -> &'static str;
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    fn into_slot(self: Box<Self>) -> Box<dyn Any>;
    fn to_json(&self) -> serde_json::Result<serde_json::Value>;
    fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    fn clone_box(&self) -> Box<dyn ErasedEvent>;
}

impl<E: Event> ErasedEvent for E {
    fn name(&self) -> &'static str {
        E::NAME
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn into_slot(self: Box<Self>) -> Box<dyn Any> {
        Box::new(Some(*self))
    }

    fn to_json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }

    fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }

    fn clone_box(&self) -> Box<dyn ErasedEvent> {
        Box::new(self.clone())
    }
}

/// Implements [`Event`] for an event the library defines, whose path is
/// `$module$name`, of kind `$kind` (`Regular` unless given), with the
/// fields `$field: $type`, if given, for the drawing. The events the library publishes
/// for the caller are marked `do_not_recommend`, which keeps them out of the
/// list of events that the compiler suggests when a step's type is not an
/// event.
macro_rules! library_event {
    ($module:literal, $name:ident $({ $($field:ident: $type:literal),* $(,)? })?) => {
        #[diagnostic::do_not_recommend]
        impl crate::event::Event for $name {
            const NAME: &'static str = stringify!($name);
            const KEY: &'static str = concat!($module, stringify!($name));
            const KIND: crate::event::EventKind = crate::event::EventKind::Regular;
            const FIELDS: &'static [(&'static str, &'static str)] =
                &[$($((stringify!($field), $type)),*)?];
            type AsStart = crate::roles::Absent;
            type AsStop = crate::roles::Absent;
        }
    };
    ($module:literal, $name:ident, $kind:ident $({ $($field:ident: $type:literal),* $(,)? })?) => {
        impl crate::event::Event for $name {
            const NAME: &'static str = stringify!($name);
            const KEY: &'static str = concat!($module, stringify!($name));
            const KIND: crate::event::EventKind = crate::event::EventKind::$kind;
            const FIELDS: &'static [(&'static str, &'static str)] =
                &[$($((stringify!($field), $type)),*)?];
            type AsStart = crate::roles::Absent;
            type AsStop = crate::roles::Absent;
        }
    };
}

pub(crate) use library_event;
