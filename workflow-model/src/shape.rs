//! [`Shape`]: which kind of value a step returns or a `OneOf` variant
//! holds (an event, an `Option`, a `Vec`, `()` or a `Result`);
//! [`Single`], what a branch of a fan-out may start with; and
//! [`Returned`], whether a step's return type is a `Result`.
//!
//! The runtime's traits for what a step returns dispatch on the kind: a
//! crate that does not define [`Event`] cannot implement one of its traits
//! both for every event and for `Option<T>`, since this crate could make
//! `Option<T>` an event; this crate, which defines `Event`, can say which
//! kind each of those types is.

use crate::event::Event;

/// The kind of a value a step returns or a `OneOf` variant holds. A type
/// that is none of the kinds is told that it is not an event, as the
/// runtime's traits said when they took every event themselves.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event",
    label = "not an event",
    note = "add `#[event]` (from `typed_workflows::prelude`) to the definition of `{Self}`"
)]
pub trait Shape {
    /// [`AnEvent`], [`AnOption`], [`AVec`], [`Nothing`] or [`AResult`].
    type Kind;
}

/// The [`Shape::Kind`] of an event.
pub enum AnEvent {}

/// The [`Shape::Kind`] of an `Option`.
pub enum AnOption {}

/// The [`Shape::Kind`] of a `Vec`.
pub enum AVec {}

/// The [`Shape::Kind`] of `()`.
pub enum Nothing {}

/// The [`Shape::Kind`] of a `Result`.
pub enum AResult {}

impl<E: Event> Shape for E {
    type Kind = AnEvent;
}

impl<T> Shape for Option<T> {
    type Kind = AnOption;
}

impl<T> Shape for Vec<T> {
    type Kind = AVec;
}

impl Shape for () {
    type Kind = Nothing;
}

impl<T, E> Shape for Result<T, E> {
    type Kind = AResult;
}

/// What one branch of a fan-out may start with: an event, a
/// `#[derive(OneOf)]` enum, an `Option` of those, or `()`; not a `Vec`,
/// which would be a fan-out of fan-outs. A trait, not a check of the
/// runtime's `Emit::FANS_OUT`, so that `cargo check` reports it too.
#[diagnostic::on_unimplemented(
    message = "a step cannot return a `Vec` of `{Self}`: that is a fan-out of fan-outs",
    label = "a `Vec` in a `Vec`",
    note = "fan out once, and fan out again from the steps of the branches"
)]
pub trait Single {}

impl<E: Event> Single for E {}

impl<T: Single> Single for Option<T> {}

impl Single for () {}

/// Which impl of the runtime's `ReturnAs` a step's return type takes:
/// [`Plain`] for a value that carries events, [`OfResult`] for a `Result`.
/// Knowing which kind of return type it has, the compiler has one impl to
/// check, and reports the part that fails: the error type, or the `Ok`
/// type that is not an event. Defined here, beside [`Event`], where a
/// `Result` is known to be no event and no [`Single`] value.
#[diagnostic::on_unimplemented(
    message = "a step cannot return `{Self}`",
    label = "not an event, a `#[derive(OneOf)]` enum of events, an `Option` of those, or `()`, optionally in a `Result`",
    note = "a step returns what it produces, like `Result<NextEvent>` or `Result<Option<NextEvent>>`"
)]
pub trait Returned {
    /// [`Plain`] or [`OfResult`].
    type Kind;
}

/// The [`Returned::Kind`] of a value that carries events: returned as it
/// is.
pub enum Plain {}

/// The [`Returned::Kind`] of a `Result`: its error split off.
pub enum OfResult {}

// Every value a branch may start with: an event, a `#[derive(OneOf)]`
// enum, an `Option` of those, or `()`. `do_not_recommend`: a type that is
// none is told that a step cannot return it, not that it cannot be in a
// `Vec`.
#[diagnostic::do_not_recommend]
impl<T: Single> Returned for T {
    type Kind = Plain;
}

/// A fan-out.
impl<T> Returned for Vec<T> {
    type Kind = Plain;
}

/// A fan-out that may not happen.
impl<T> Returned for Option<Vec<T>> {
    type Kind = Plain;
}

impl<T, E> Returned for Result<T, E> {
    type Kind = OfResult;
}
