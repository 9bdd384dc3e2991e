//! What a step may return: [`StepReturn`] unwraps errors, [`Emit`] routes the
//! events inside.

use std::any::Any;

use crate::event::{AnyEvent, Event, EventInfo, EventKind};
use crate::workflow::{Sink, Workflow};

/// A value a step returns that carries zero or more events: an event, an enum
/// derived with `#[derive(OneOf)]`, an `Option` or a `Vec` of those, or `()`.
#[diagnostic::on_unimplemented(
    message = "a step cannot return `{Self}`",
    label = "not an event, a `#[derive(OneOf)]` enum of events, an `Option` of those, or `()`",
    note = "derive `Event` on `{Self}`, or to return one of several events, list them in an enum with `#[derive(OneOf)]`"
)]
pub trait Emit: Send + 'static {
    /// The event types this value may carry.
    #[doc(hidden)]
    const MEMBERS: &'static [EventInfo];

    /// The stop event among the members, or `Absent` (no event).
    #[doc(hidden)]
    type AsStop;

    /// Whether the value is a fan-out: a `Vec` of events.
    #[doc(hidden)]
    const FANS_OUT: bool = false;

    /// Hands each event carried to `sink`.
    #[doc(hidden)]
    fn emit<W: Workflow, S: Sink<W>>(self, sink: &mut S);
}

// `do_not_recommend`: a type that is not an event is reported as one that
// a step cannot return (`Emit`'s message), where the `Event` bound of this
// impl would give a second wording at the same place.
#[diagnostic::do_not_recommend]
impl<E: Event> Emit for E {
    const MEMBERS: &'static [EventInfo] = &[E::INFO];
    type AsStop = E::AsStop;

    #[inline]
    fn emit<W: Workflow, S: Sink<W>>(self, sink: &mut S) {
        sink.deliver(self);
    }
}

impl<T: Emit> Emit for Option<T> {
    const MEMBERS: &'static [EventInfo] = T::MEMBERS;
    type AsStop = T::AsStop;
    const FANS_OUT: bool = T::FANS_OUT;

    #[inline]
    fn emit<W: Workflow, S: Sink<W>>(self, sink: &mut S) {
        if let Some(value) = self {
            value.emit::<W, S>(sink);
        }
    }
}

/// A fan-out: one event per element, each the start of a branch; a step
/// that takes a `Vec` of what the branches produce gathers them once every
/// branch has finished.
impl<T: Emit + Single> Emit for Vec<T> {
    const MEMBERS: &'static [EventInfo] = T::MEMBERS;
    type AsStop = T::AsStop;
    const FANS_OUT: bool = true;

    #[inline]
    fn emit<W: Workflow, S: Sink<W>>(self, sink: &mut S) {
        sink.fan_out(self);
    }
}

/// What one branch of a fan-out may start with: an event, a
/// `#[derive(OneOf)]` enum, an `Option` of those, or `()`; not a `Vec`,
/// which would be a fan-out of fan-outs. A trait, not a check of
/// [`Emit::FANS_OUT`], so that `cargo check` reports it too.
#[diagnostic::on_unimplemented(
    message = "a step cannot return a `Vec` of `{Self}`: that is a fan-out of fan-outs",
    label = "a `Vec` in a `Vec`",
    note = "fan out once, and fan out again from the steps of the branches"
)]
pub trait Single {}

impl<E: Event> Single for E {}

impl<T: Single> Single for Option<T> {}

impl Single for () {}

impl Emit for () {
    const MEMBERS: &'static [EventInfo] = &[];
    type AsStop = crate::roles::Absent;

    #[inline]
    fn emit<W: Workflow, S: Sink<W>>(self, _sink: &mut S) {}
}

/// The return type of a step: an [`Emit`] value, or a `Result` of one whose
/// error converts into [`anyhow::Error`].
///
/// Its one impl goes through two hidden traits, [`Returned`] and
/// [`ReturnAs`]: with an impl for `T: Emit` and another for `Result<T, E>`,
/// both would match a `Result`, and the compiler, finding two impls that
/// might apply and neither that does, would refuse the whole return type.
/// Knowing which kind of return type it has, the compiler has one impl to
/// check, and reports the part that fails: the error type, or the `Ok` type
/// that is not an event.
#[diagnostic::on_unimplemented(
    message = "a step cannot return `{Self}`",
    label = "not an event, a `#[derive(OneOf)]` enum of events, an `Option` of those, or `()`, optionally in a `Result`",
    note = "a step returns what it produces, like `Result<NextEvent>` or `Result<Option<NextEvent>>`"
)]
pub trait StepReturn: Send {
    /// The events-carrying value inside.
    type Output: Emit;
}

impl<R> StepReturn for R
where
    R: Returned + ReturnAs<<R as Returned>::Kind>,
{
    type Output = <R as ReturnAs<R::Kind>>::Output;
}

/// Splits the error off what a step returned, if it returned a `Result`.
///
/// Only the step's call asks that the error type convert into
/// [`anyhow::Error`], and only that: [`StepReturn::Output`] does not, and
/// this asks nothing of the `Ok` type, so that each mistake in a return
/// type is one error, rather than one at every place the workflow names
/// the step's output.
#[inline]
pub fn split<R>(returned: R) -> anyhow::Result<R::Output>
where
    R: StepReturn + Returned + Split<<R as Returned>::Kind, Ok = R::Output>,
{
    returned.split()
}

/// Which impl of [`ReturnAs`] a step's return type takes: [`Plain`] for
/// an [`Emit`] value, [`OfResult`] for a `Result`. A `Result` matches the
/// impl for `T: Emit` too, but is not an `Emit`, so the compiler picks the
/// other one, which asks nothing of `T` and `E`.
#[diagnostic::on_unimplemented(
    message = "a step cannot return `{Self}`",
    label = "not an event, a `#[derive(OneOf)]` enum of events, an `Option` of those, or `()`, optionally in a `Result`",
    note = "a step returns what it produces, like `Result<NextEvent>` or `Result<Option<NextEvent>>`"
)]
pub trait Returned {
    /// [`Plain`] or [`OfResult`].
    type Kind;
}

/// The [`Returned::Kind`] of an [`Emit`] value: returned as it is.
pub enum Plain {}

/// The [`Returned::Kind`] of a `Result`: its error split off.
pub enum OfResult {}

impl<T: Emit> Returned for T {
    type Kind = Plain;
}

impl<T, E> Returned for Result<T, E> {
    type Kind = OfResult;
}

/// [`StepReturn`] for the return types of one [`Returned::Kind`], `K`.
#[diagnostic::on_unimplemented(
    message = "a step cannot return `{Self}`",
    label = "not an event, a `#[derive(OneOf)]` enum of events, an `Option` of those, or `()`, optionally in a `Result`",
    note = "a step returns what it produces, like `Result<NextEvent>` or `Result<Option<NextEvent>>`"
)]
pub trait ReturnAs<K>: Send {
    /// See [`StepReturn::Output`].
    type Output: Emit;
}

impl<T: Emit> ReturnAs<Plain> for T {
    type Output = T;
}

impl<T: Emit, E: Send> ReturnAs<OfResult> for Result<T, E> {
    type Output = T;
}

/// [`split`] for the return types of one [`Returned::Kind`], `K`.
pub trait Split<K> {
    /// What is left of a successful return.
    type Ok;

    /// See [`split`].
    fn split(self) -> anyhow::Result<Self::Ok>;
}

impl<T> Split<Plain> for T {
    type Ok = T;

    #[inline]
    fn split(self) -> anyhow::Result<T> {
        Ok(self)
    }
}

impl<T, E: StepError> Split<OfResult> for Result<T, E> {
    type Ok = T;

    #[inline]
    fn split(self) -> anyhow::Result<T> {
        self.map_err(Into::into)
    }
}

/// The error type of a step that returns a `Result`: one that converts into
/// [`anyhow::Error`].
#[diagnostic::on_unimplemented(
    message = "the error type of a step must convert into `anyhow::Error`: `{Self}` does not",
    label = "not convertible into `anyhow::Error`",
    note = "return `anyhow::Result<T>` (the prelude's `Result<T>`) and build errors with `anyhow::anyhow!(...)`, or use an error type that implements `std::error::Error + Send + Sync + 'static`"
)]
pub trait StepError: Into<anyhow::Error> + Send {}

// `do_not_recommend`: an error names `StepError`, with the message above,
// rather than the `std::error::Error` bound that anyhow's `From` impl puts
// on it.
#[diagnostic::do_not_recommend]
impl<E: Into<anyhow::Error> + Send> StepError for E {}

/// What a variant of a `#[derive(OneOf)]` enum may carry: an event,
/// another `OneOf` enum (whose events it then carries too), an `Option` of
/// those, or `()`; not a `Vec`, which would make the enum a fan-out.
///
/// A type that is none of those is told that it is not an event, by the
/// `Event` bound of the impl for events: the same error, on the same
/// token, for each use the derive makes of the variant, which the compiler
/// then shows once.
pub trait OneOfVariant: Send + 'static {
    /// See [`Emit::MEMBERS`].
    const MEMBERS: &'static [EventInfo];
    /// See [`Emit::AsStop`].
    type AsStop;
    /// See [`StepParam::AsStart`](crate::bounds::StepParam::AsStart).
    type AsStart;

    /// See [`Emit::emit`].
    fn carry<W: Workflow, S: Sink<W>>(self, sink: &mut S);

    /// The variant's value made of an event routed to a step that takes the
    /// enum, if the event is one this variant carries: `slot` is an
    /// `Option` of the event's type, as in
    /// [`StepParam::routed`](crate::bounds::StepParam::routed).
    fn routed(slot: &mut dyn Any) -> Option<Self>
    where
        Self: Sized;

    /// The index in [`MEMBERS`](Self::MEMBERS) of the event type the value
    /// holds; for a value that holds none (`None`, `()`), which no step is
    /// invoked with, `0`.
    fn accepted(&self) -> usize;

    /// A copy of the value (see
    /// [`StepParam::duplicate`](crate::bounds::StepParam::duplicate)).
    fn duplicate(&self) -> Self
    where
        Self: Sized;

    /// The events the value holds (see
    /// [`StepParam::events`](crate::bounds::StepParam::events)).
    fn events(&self) -> Vec<AnyEvent>;
}

impl<E: Event> OneOfVariant for E {
    const MEMBERS: &'static [EventInfo] = &[E::INFO];
    type AsStop = E::AsStop;
    type AsStart = E::AsStart;

    #[inline]
    fn carry<W: Workflow, S: Sink<W>>(self, sink: &mut S) {
        sink.deliver(self);
    }

    #[inline]
    fn routed(slot: &mut dyn Any) -> Option<Self> {
        slot.downcast_mut::<Option<E>>().and_then(Option::take)
    }

    #[inline]
    fn accepted(&self) -> usize {
        0
    }

    fn duplicate(&self) -> Self {
        self.clone()
    }

    fn events(&self) -> Vec<AnyEvent> {
        vec![AnyEvent::new(self.clone())]
    }
}

impl<T: OneOfVariant> OneOfVariant for Option<T> {
    const MEMBERS: &'static [EventInfo] = T::MEMBERS;
    type AsStop = T::AsStop;
    type AsStart = T::AsStart;

    #[inline]
    fn carry<W: Workflow, S: Sink<W>>(self, sink: &mut S) {
        if let Some(value) = self {
            value.carry::<W, S>(sink);
        }
    }

    #[inline]
    fn routed(slot: &mut dyn Any) -> Option<Self> {
        T::routed(slot).map(Some)
    }

    #[inline]
    fn accepted(&self) -> usize {
        self.as_ref().map_or(0, T::accepted)
    }

    fn duplicate(&self) -> Self {
        self.as_ref().map(T::duplicate)
    }

    fn events(&self) -> Vec<AnyEvent> {
        self.as_ref().map_or_else(Vec::new, T::events)
    }
}

impl OneOfVariant for () {
    const MEMBERS: &'static [EventInfo] = &[];
    type AsStop = crate::roles::Absent;
    type AsStart = crate::roles::Absent;

    #[inline]
    fn carry<W: Workflow, S: Sink<W>>(self, _sink: &mut S) {}

    #[inline]
    fn routed(_slot: &mut dyn Any) -> Option<Self> {
        None
    }

    #[inline]
    fn accepted(&self) -> usize {
        0
    }

    fn duplicate(&self) -> Self {}

    fn events(&self) -> Vec<AnyEvent> {
        Vec::new()
    }
}

/// The decoder of a slot of [`concat`] before it is filled.
fn unset(_value: serde_json::Value) -> serde_json::Result<AnyEvent> {
    unreachable!("every slot of a concatenated list of event types is filled")
}

/// The event types of a `OneOf` enum's variants, one list of `N`: theirs
/// one after the other.
pub const fn concat<const N: usize>(lists: &[&[EventInfo]]) -> [EventInfo; N] {
    // Every slot is overwritten: `N` is the sum of the lists' lengths.
    const UNSET: EventInfo = EventInfo {
        key: "",
        id: 0,
        name: "",
        kind: EventKind::Regular,
        fields: &[],
        decode: unset,
    };
    let mut all = [UNSET; N];
    let (mut list, mut filled) = (0, 0);
    while list < lists.len() {
        let mut nth = 0;
        while nth < lists[list].len() {
            all[filled] = lists[list][nth];
            filled += 1;
            nth += 1;
        }
        list += 1;
    }
    all
}

/// Implemented by `#[derive(OneOf)]` for the event of each variant of the
/// enum `E`, behind its `From` impl. `REPEAT` is not 0 for an event that an
/// earlier variant holds too, perhaps under another spelling, so that the
/// impls do not conflict; `From` takes the one with `REPEAT = 0`.
#[doc(hidden)]
pub trait Variant<E, const REPEAT: usize = 0> {
    /// The enum's variant holding the event.
    fn wrap(self) -> E;
}
