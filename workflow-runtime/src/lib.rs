//! The runtime of [`typed-workflows`](https://docs.rs/typed-workflows): events, the
//! context steps see, the state machine that runs a workflow, and the handler
//! a caller awaits. Use it through the `typed-workflows` crate, which re-exports it
//! beside the macros.

#![warn(missing_docs)]

mod answers;
mod attempts;
mod backlog;
mod collect;
mod context;
mod control;
mod emit;
mod error;
mod event;
mod forward;
mod handler;
mod id;
mod inbox;
mod input;
mod param;
mod recover;
mod retry;
mod roles;
mod route;
mod run;
mod start;
mod state;
mod stop;
mod stream;
mod taken;
mod terminal;
mod workflow;

pub mod bounds;

pub mod graph;
pub mod observe;
pub mod snapshot;

#[doc(hidden)]
pub mod __private;
#[doc(hidden)]
pub mod check;

pub use attempts::{PastAttempt, Retrying, StepTimedOut};
pub use backlog::{EventsDropped, WhenFull};
pub use collect::EventTuple;
pub use context::{Context, StepContext};
pub use emit::{Emit, StepReturn};
pub use error::{SendError, StreamTaken, WorkflowError};
pub use event::{AnyEvent, Event};
pub use handler::WorkflowHandler;
pub use id::{ParseRunIdError, RunId};
pub use inbox::DEFAULT_INBOX_LIMIT;
pub use input::{HumanResponseEvent, InputEvent, InputRequiredEvent, WaitForEvent, WaitTimedOut};
pub use recover::{AttemptFailure, StepFailedEvent};
pub use retry::RetryPolicy;
pub use run::{DEFAULT_TIMEOUT, Runner};
pub use snapshot::{ResumeError, RunSnapshot, SnapshotError};
pub use start::{StartEvent, StartEventType, StartValueError};
pub use state::{State, WorkflowState};
pub use stop::{StopEvent, StopEventType};
pub use stream::EventStream;
pub use terminal::{WorkflowCancelledEvent, WorkflowFailedEvent, WorkflowTimedOutEvent};
pub use workflow::{Output, StepInfo, Workflow};
