//! Observer events: what a run does, published on its event stream when
//! its caller asks for them. The runtime publishes them; the drawings read
//! them back into a run's trace.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::event::library_event;
use crate::step::StepInfo;

/// An invocation of a step began, with an event of the type it accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepStarted {
    /// The step's name, as in [`StepInfo::name`].
    pub step: String,
    /// The name of the event type it was invoked with.
    pub event: String,
    /// When it began, counted from the start of the run by the
    /// runtime's clock (tokio's, which a test with paused time controls).
    /// `0` in events stored before runs were timed.
    #[serde(default)]
    pub at: Duration,
}

/// An invocation of a step ended successfully. Published once what it
/// returned is routed, so an outbound event it returned comes before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepFinished {
    /// The step's name, as in [`StepInfo::name`].
    pub step: String,
    /// The name of the event type it was invoked with.
    pub event: String,
    /// From just before its first poll to its completion.
    pub duration: Duration,
    /// When it finished, counted from the start of the run by the
    /// runtime's clock (tokio's, which a test with paused time controls).
    /// `0` in events stored before runs were timed.
    #[serde(default)]
    pub at: Duration,
    /// The names of the events it produced, in the order the run routes
    /// them: those it sent through its context first, then those it
    /// returned. Empty if it produced nothing.
    pub produced: Vec<String>,
    /// The names of the events it wrote to the stream, in order.
    pub written: Vec<String>,
    /// The names of the events it received from the run's caller while it
    /// waited ([`StepContext::wait_for_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.wait_for_event)),
    /// in order.
    pub received: Vec<String>,
}

/// An invocation of a step failed, with an error or a panic; the run ends
/// with [`WorkflowError::StepFailed`](crate::WorkflowError::StepFailed) or
/// [`WorkflowError::StepPanicked`](crate::WorkflowError::StepPanicked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepFailed {
    /// The step's name, as in [`StepInfo::name`].
    pub step: String,
    /// The name of the event type it was invoked with.
    pub event: String,
    /// From just before its first poll to its failure.
    pub duration: Duration,
    /// When it failed, counted from the start of the run by the
    /// runtime's clock (tokio's, which a test with paused time controls).
    /// `0` in events stored before runs were timed.
    #[serde(default)]
    pub at: Duration,
    /// The error with its causes (`{:#}`: "while exploding: boom"), or the
    /// panic's message.
    pub error: String,
}

/// The run has nothing to do but wait, as LlamaIndex's `WorkflowIdleEvent`
/// says: no invocation is queued, and every one that runs waits for an
/// event from the run's caller
/// ([`StepContext::wait_for_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.wait_for_event)), or
/// none runs. Published once each time the run becomes so, until it goes
/// on: while it waits for its caller (a server may release the run), or
/// just before it ends with
/// [`WorkflowError::Stalled`](crate::WorkflowError::Stalled) if no step
/// accepts input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdle {
    /// The steps waiting for input, each named once, in the order of the
    /// steps; empty if none runs.
    pub waiting: Vec<String>,
}

library_event!("typed_workflows::observe::", StepStarted);
library_event!("typed_workflows::observe::", StepFinished);
library_event!("typed_workflows::observe::", StepFailed);
library_event!("typed_workflows::observe::", RunIdle);

impl StepStarted {
    /// The event saying that an invocation of the step `info` with an
    /// `event` began `at` the given time into the run.
    #[doc(hidden)]
    pub fn of(info: &StepInfo, event: &str, at: Duration) -> Self {
        Self {
            step: info.name.to_owned(),
            event: event.to_owned(),
            at,
        }
    }
}
