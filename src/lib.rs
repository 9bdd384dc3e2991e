//! Event-driven async workflows, with the event graph checked by the compiler.
//!
//! A workflow is a set of async *steps*. Each step accepts one type of
//! [`Event`] and returns the next; [`workflow!`] reads the step signatures,
//! builds the routing table at compile time, and refuses to compile a graph
//! in which an event goes nowhere, a step can never run, or no path leads to
//! a [`StopEvent`]. A [`Runner`] runs it on tokio; the [`WorkflowHandler`]
//! streams what steps publish while you await the result.
//!
//! ```
//! use typed_workflows::prelude::*;
//!
//! #[event]
//! struct Greeting {
//!     text: String,
//! }
//!
//! struct Hello;
//!
//! #[workflow_impl]
//! impl Hello {
//!     #[step]
//!     async fn greet(&self, start: StartEvent) -> Result<Greeting> {
//!         let name: String = start.get("name")?;
//!         Ok(Greeting { text: format!("Hello, {name}!") })
//!     }
//!
//!     #[step(writes(Greeting))]
//!     async fn finish(&self, ctx: &Context<Self>, greeting: Greeting) -> StopEvent<String> {
//!         ctx.write_event_to_stream(greeting.clone());
//!         StopEvent::new(greeting.text)
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<()> {
//!     let result = Hello.runner().run(StartEvent::new().with("name", "Ishmael")).await?;
//!     assert_eq!(result, "Hello, Ishmael!");
//!     Ok(())
//! }
//! ```
//!
//! The README has a tour of the whole API and the list of what the compiler
//! checks.

#![warn(missing_docs)]

pub use workflow_macros::{Event, OneOf, data, event, step, workflow, workflow_impl};
pub use workflow_runtime::*;

#[doc(hidden)]
pub use workflow_runtime::__private;

/// serde, for `#[serde(crate = "typed_workflows::serde")]`: `#[event]` and
/// `#[data]` derive serde's traits with no serde dependency in your crate,
/// and a type that derives them itself without one names this path. Hidden
/// from the docs, as rustc would otherwise print `std::option::Option` for
/// `Option` in the messages of every program that uses this crate; serde's
/// traits are in the [prelude](crate::prelude).
#[doc(hidden)]
pub mod serde {
    pub use ::serde::*;
}

/// [`tokio_stream`], re-exported: a handler's events are a tokio stream, read
/// with its [`StreamExt`](tokio_stream::StreamExt) (in the prelude).
pub use tokio_stream;

/// Everything a workflow definition and its caller usually need, in one
/// `use typed_workflows::prelude::*`.
pub mod prelude {
    pub use crate::{
        AnyEvent, Context, Event, OneOf, Runner, StartEvent, StepContext, StopEvent, Workflow,
        WorkflowError, WorkflowHandler, data, event, step, workflow, workflow_impl,
    };
    pub use anyhow::Result;
    pub use serde::{Deserialize, Serialize};
    pub use tokio_stream::StreamExt;
}

/// The README's code blocks, compiled and run as doctests so that they stay
/// true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
