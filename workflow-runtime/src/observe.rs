//! Observer events: what a run does, published on its event stream when the
//! caller asks for them with
//! [`Runner::expose_internal`](crate::Runner::expose_internal), as
//! LlamaIndex's `expose_internal` does.
//!
//! Each is published at the moment it happens, in order with what steps
//! write: a step's [`StepStarted`] comes before anything it writes, and its
//! [`StepFinished`] or [`StepFailed`] after. The stop event stays the last
//! item of the stream. Without `expose_internal(true)` the stream holds only
//! what steps wrote, and a run records nothing for these events unless
//! another of its [reports](crate::report) follows steps: these events are
//! what such reports hear.
//!
//! ```
//! use typed_workflows::observe::StepStarted;
//! use typed_workflows::prelude::*;
//!
//! struct Hello;
//!
//! #[workflow_impl]
//! impl Hello {
//!     #[step]
//!     async fn greet(&self, _ev: StartEvent) -> StopEvent<String> {
//!         StopEvent::new("hello".into())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<()> {
//! let mut handler = Hello.runner().expose_internal(true).run(StartEvent::new());
//! let mut events = handler.stream_events()?;
//! while let Some(event) = events.next().await {
//!     if let Some(started) = event.downcast_ref::<StepStarted>() {
//!         println!("{} started with a {}", started.step, started.event);
//!     }
//! }
//! assert_eq!(handler.await?, "hello");
//! # Ok(())
//! # }
//! ```

pub use workflow_model::observe::{RunIdle, StepFailed, StepFinished, StepStarted};
