//! A run written down: [`RunSnapshot`], what it holds, the workflow's
//! [`fingerprint`], and whether a snapshot can go on as a run of a
//! workflow ([`ResumeError`]). The runtime takes a run apart into a
//! snapshot and puts one together again; a store keeps them, with this
//! crate alone.
//!
//! Everything in a snapshot is known by a stable name: steps by their
//! method's name, events by [`Event::NAME`](crate::Event::NAME). Nothing
//! in it depends on where a type is written or on the order of the steps,
//! so a snapshot outlives the process that took it and, within the limits
//! [`ResumeError`] tells, changes to the workflow's code.

mod compat;
mod fingerprint;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{AnyEvent, RunId};

pub use compat::ResumeError;
#[doc(hidden)]
pub use compat::{LIBRARY_EVENTS, check, event_named, step_index, stream_event_named};
pub use fingerprint::fingerprint;

/// The version of the snapshot format this crate writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Everything a run needs to go on, as plain serde data: take one of a live
/// run with [`WorkflowHandler::snapshot`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.snapshot)
/// or [`suspend`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.suspend), write it anywhere as
/// JSON, and go on with [`Runner::resume`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.Runner.html#method.resume), in this
/// process or another.
///
/// What it holds, and what it means for the run that goes on from it:
/// - the invocations queued for each step, with their input events, and the
///   invocations **in flight**, as their input event and attempt: an
///   invocation in flight when the snapshot was taken **runs again from its
///   top** when the run goes on, as in LlamaIndex. A wait it had already
///   been answered gets the same answer at once, without asking again;
/// - the **state** as it was when the snapshot was taken, edits made by
///   invocations still in flight included: the re-run of such an invocation
///   makes its edits again, so write them to be repeatable (set a value
///   rather than add to it) where that matters;
/// - the events [`collect_events`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.collect_events) and
///   `collect_each` were holding, and each fan-out's branches still live
///   and what it gathered;
/// - the events the caller sent that no step had taken yet;
/// - how many failures each catching step has recovered from, the time left
///   on the run's timeout, and the sequence number of the next event on the
///   run's stream.
///
/// Events published on the stream before the snapshot are not in it: read
/// them from the stream of the run it was taken of.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunSnapshot};
///
/// struct Ask;
///
/// #[workflow_impl]
/// impl Ask {
///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
///     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
///         let answer = ctx
///             .wait_for_event::<HumanResponseEvent>()
///             .publishing(InputRequiredEvent { prefix: "Name? ".into() })
///             .await?;
///         Ok(StopEvent::new(format!("Hello, {}", answer.response)))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Ask.run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// events.next().await; // the question
/// let json = serde_json::to_string(&handler.suspend().await?)?;
///
/// // Later, perhaps in another process:
/// let snapshot: RunSnapshot = serde_json::from_str(&json)?;
/// let handler = Ask.runner().resume(snapshot)?;
/// handler.send_event(HumanResponseEvent { response: "Ada".into() })?;
/// assert_eq!(handler.await?, "Hello, Ada");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSnapshot {
    /// The format's version: [`SNAPSHOT_VERSION`] for the snapshots this
    /// crate writes.
    pub version: u32,
    /// The workflow's name ([`Blueprint::NAME`](crate::Blueprint::NAME)).
    pub workflow: String,
    /// The run's id, which the run keeps when it goes on.
    pub run_id: RunId,
    /// The workflow's [`fingerprint`] when the snapshot was taken.
    pub fingerprint: String,
    /// The shape of every event type the snapshot holds, by name: its
    /// fields, name and type as written, to check against the events of
    /// the workflow that resumes it.
    pub events: BTreeMap<String, Vec<(String, String)>>,
    /// The name of the run's state type.
    pub state_type: String,
    /// The run's state.
    pub state: serde_json::Value,
    /// Invocations in flight, which run again from their top.
    pub in_flight: Vec<InFlight>,
    /// Invocations queued, in the order they would have started.
    pub queued: Vec<Queued>,
    /// What `collect_events` and `collect_each` were holding, per step.
    pub collected: Vec<Collected>,
    /// The fan-outs with branches still live.
    pub fan_outs: FanOuts,
    /// Events the caller sent that no step had taken yet.
    pub inbox: Vec<Unclaimed>,
    /// How many failures each step that catches failures has recovered
    /// from, by step name; steps at 0 are left out.
    pub recoveries: BTreeMap<String, u32>,
    /// The time left on the run's timeout; `None` for a run without one.
    pub timeout_left: Option<Duration>,
    /// The sequence number the run's next stream event gets.
    pub next_sequence: u64,
    /// For a durable run, the store's sequence number of the last input
    /// sent through the store that this snapshot holds (in its inbox, or
    /// taken by a step): the store's later inputs are still to come. 0 for
    /// a run that took none, and in snapshots written before it was kept.
    #[serde(default)]
    pub inputs_through: u64,
}

/// An event as a snapshot holds it: its stable name and its serde
/// representation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// [`Event::NAME`](crate::Event::NAME) of its type.
    pub name: String,
    /// The event as JSON.
    pub value: serde_json::Value,
}

/// An invocation queued for a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// The step's name.
    pub step: String,
    /// Its input: one event, or those a fan-out gathered for it.
    pub events: Vec<EventRecord>,
    /// The branch of a fan-out it belongs to; 0 for none.
    pub branch: u64,
}

/// An invocation that was running when the snapshot was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    /// The invocation, as if queued.
    #[serde(flatten)]
    pub invocation: Queued,
    /// The attempt it was on, 1 for the first: it goes on with it, with the
    /// attempts its step's retry policy has left.
    pub attempt: u32,
    /// The answers its waits had received, by their order (`None` for a
    /// wait not answered): the same waits of the re-run are answered with
    /// them at once.
    pub answers: Vec<Option<EventRecord>>,
    /// What the attempt's effects (`StepContext::once`) returned, as JSON,
    /// by their order (`None` for one not finished): the same effects of
    /// the re-run return them without running. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Option<serde_json::Value>>,
}

/// The events one step was collecting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collected {
    /// The step's name.
    pub step: String,
    /// The events, oldest first.
    pub events: Vec<EventRecord>,
}

/// The fan-outs of a run with branches still live.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FanOuts {
    /// The number the next fan-out gets.
    pub next_group: u32,
    /// Each fan-out with branches still live.
    pub groups: Vec<FanOut>,
}

/// One fan-out: where it came from, and what its finished branches gathered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanOut {
    /// Its number within the run.
    pub group: u32,
    /// The step that fanned out.
    pub from: String,
    /// The branch it was made in; 0 for none.
    pub parent: u64,
    /// How many things are live in its branches besides the invocations
    /// the snapshot holds: fan-outs nested in them.
    pub nested: usize,
    /// What its branches gathered so far, with the branch's index.
    pub gathered: Vec<(u32, EventRecord)>,
}

/// An event the caller sent that no step had taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unclaimed {
    /// The step it was sent to, if one was named.
    pub to: Option<String>,
    /// The event.
    pub event: EventRecord,
    /// Whether it had been looked at and kept for a later wait, rather
    /// than not looked at yet.
    pub kept: bool,
}

/// Why a snapshot could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The run has ended, or ends before it could be written down.
    #[error("the run has ended: there is nothing to snapshot")]
    RunEnded,
    /// An event the run holds, or its state, did not serialize.
    #[error("{what} could not be written as JSON: {error}")]
    NotSerializable {
        /// What did not serialize: an event by its name, or the state.
        what: String,
        /// serde's message.
        error: String,
    },
}

impl EventRecord {
    /// The record of `event`.
    #[doc(hidden)]
    pub fn of(event: &AnyEvent) -> Result<Self, SnapshotError> {
        let value = event
            .to_json()
            .map_err(|error| SnapshotError::NotSerializable {
                what: format!("event `{}`", event.name()),
                error: error.to_string(),
            })?;
        Ok(Self {
            name: event.name().to_owned(),
            value,
        })
    }
}
