//! The model of [`typed-workflows`](https://docs.rs/typed-workflows): what a
//! workflow *is*, apart from how it runs. The [`Event`] trait and the
//! built-in events, the table of a workflow's steps ([`StepInfo`],
//! [`Blueprint`]), the compile-time checks of its graph, its retry
//! policies and its errors, with no async runtime: code that only needs to
//! know what a workflow is (the drawings, a store, a server) depends on
//! this crate alone. Use it through the `typed-workflows` crate, which
//! re-exports it beside the runtime and the macros.

mod attempt;
mod blueprint;
mod dropped;
mod duration;
mod error;
mod event;
mod failure;
mod id;
mod input;
mod param;
mod retry;
mod roles;
mod shape;
mod start;
mod state;
mod step;
mod stop;
mod taken;
mod terminal;

pub mod observe;
pub mod snapshot;

#[doc(hidden)]
pub mod check;

pub use attempt::{PastAttempt, StepTimedOut};
pub use blueprint::Blueprint;
pub use dropped::EventsDropped;
pub use error::{SendError, StreamTaken, WorkflowError};
pub use event::{AnyEvent, Event};
pub use failure::{AttemptFailure, StepFailedEvent};
pub use id::{ParseRunIdError, RunId};
pub use input::{HumanResponseEvent, InputEvent, InputRequiredEvent, WaitTimedOut};
pub use retry::RetryPolicy;
pub use snapshot::{ResumeError, RunSnapshot, SnapshotError};
pub use start::{StartEvent, StartEventType, StartValueError};
pub use state::WorkflowState;
pub use step::StepInfo;
pub use stop::{StopEvent, StopEventType};
pub use terminal::{WorkflowCancelledEvent, WorkflowFailedEvent, WorkflowTimedOutEvent};

/// What the runtime, the drawings and the code the macros generate use of
/// the model beyond its public items. Not a public API: it may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::duration::HumanDuration;
    pub use crate::event::{EventInfo, EventKind};
    pub use crate::failure::catcher_of;
    pub use crate::param::{StepParam, routed_as};
    pub use crate::roles::{Absent, JoinStart, JoinStop, OrStartEvent, Pick};
    pub use crate::shape::{
        AResult, AVec, AnEvent, AnOption, Nothing, OfResult, Plain, Returned, Shape, Single,
    };
    pub use crate::taken::{TakenBy, taken_repeat};
    pub use crate::terminal::terminal_event;
}
