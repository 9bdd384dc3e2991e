//! The runtime of [`typed-workflows`](https://docs.rs/typed-workflows): the
//! context steps see, the state machine that runs a workflow on tokio, and
//! the handler a caller awaits. What a workflow *is* (events, the step
//! table, the checks) comes from `workflow-model`, re-exported here. Use it
//! through the `typed-workflows` crate, which re-exports it beside the
//! macros and the drawings.

mod answers;
mod attempts;
mod backlog;
mod collect;
mod context;
mod control;
pub mod durable;
mod effect;
mod emit;
mod forward;
mod handler;
mod inbox;
mod input;
mod named;
mod recover;
mod route;
mod run;
mod state;
mod stream;
mod workflow;

pub mod bounds;

pub mod observe;
pub mod report;
mod snapshotting;

#[doc(hidden)]
pub mod __private;
#[doc(hidden)]
pub use workflow_model::check;
pub use workflow_model::snapshot;

pub use attempts::Retrying;
pub use backlog::WhenFull;
pub use collect::EventTuple;
pub use context::{Context, StepContext};
pub use emit::{Emit, StepReturn};
pub use handler::WorkflowHandler;
pub use inbox::DEFAULT_INBOX_LIMIT;
pub use input::WaitForEvent;
pub use run::{DEFAULT_TIMEOUT, Runner};
pub use state::State;
pub use stream::EventStream;
pub use workflow::{Output, Workflow};
pub use workflow_model::{
    AnyEvent, AttemptFailure, Blueprint, Event, EventsDropped, HumanResponseEvent, InputEvent,
    InputRequiredEvent, ParseRunIdError, PastAttempt, ResumeError, RetryPolicy, RunId, RunSnapshot,
    SendError, SnapshotError, StartEvent, StartEventType, StartValueError, StepFailedEvent,
    StepInfo, StepTimedOut, StopEvent, StopEventType, StreamTaken, WaitTimedOut,
    WorkflowCancelledEvent, WorkflowError, WorkflowFailedEvent, WorkflowState,
    WorkflowTimedOutEvent,
};
