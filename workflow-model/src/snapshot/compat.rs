//! Whether a snapshot can go on as a run of a workflow, and what in it
//! changed if not.

use super::{RunSnapshot, SNAPSHOT_VERSION, fingerprint};
use crate::event::EventInfo;
use crate::{Blueprint, StepInfo};

/// Why [`Runner::resume`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.Runner.html#method.resume) refused a snapshot. The
/// snapshot is left as it was: resume it with the workflow it was taken
/// with, or change the workflow back.
///
/// A snapshot of a workflow whose [`fingerprint`](crate::snapshot::fingerprint)
/// has changed since still resumes when everything it holds is still
/// understood: every event in it still exists under its name with the same
/// fields, a step of the name it is queued for still takes it, and the
/// state type is the same. Anything else is one of these errors, which name
/// what changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The snapshot is of another workflow.
    #[error("the snapshot is of workflow `{found}`, not `{expected}`")]
    OtherWorkflow {
        /// The workflow resuming it.
        expected: &'static str,
        /// The workflow it was taken of.
        found: String,
    },
    /// The snapshot was written in a format this version does not read.
    #[error("the snapshot has format version {found}; this version reads {expected}")]
    Version {
        /// The version this crate reads.
        expected: u32,
        /// The snapshot's.
        found: u32,
    },
    /// A step the snapshot has work for is gone.
    #[error(
        "step `{step}` has work in the snapshot but the workflow has no step of that name: restore it, or finish the run with the old build"
    )]
    StepRemoved {
        /// The step's name.
        step: String,
    },
    /// An event type the snapshot holds is gone, or was renamed.
    #[error(
        "event `{event}` is in the snapshot but no step of the workflow uses an event of that name: if the type was renamed, keep its old name with `#[event(name = \"{event}\")]`"
    )]
    EventRemoved {
        /// The event's name in the snapshot.
        event: String,
    },
    /// An event type the snapshot holds has other fields now.
    #[error("the fields of event `{event}` changed from ({was}) to ({now})")]
    FieldsChanged {
        /// The event's name.
        event: String,
        /// Its fields in the snapshot.
        was: String,
        /// Its fields now.
        now: String,
    },
    /// A step the snapshot has an invocation of no longer takes its event.
    #[error(
        "step `{step}` has an invocation in the snapshot with `{event}`, which it no longer takes"
    )]
    NotTaken {
        /// The step.
        step: String,
        /// The event.
        event: String,
    },
    /// The run's state type changed.
    #[error("the state type changed from `{was}` to `{now}`")]
    StateChanged {
        /// The state type in the snapshot.
        was: String,
        /// The workflow's now.
        now: &'static str,
    },
    /// Something in the snapshot did not decode as what it says it is.
    #[error("{what} in the snapshot does not decode: {error}")]
    Decode {
        /// What did not decode: an event, or the state.
        what: String,
        /// serde's message.
        error: String,
    },
}

/// Checks that `snapshot` can go on as a run of `W` (see [`ResumeError`]).
pub fn check<W: Blueprint>(snapshot: &RunSnapshot) -> Result<(), ResumeError> {
    if snapshot.workflow != W::NAME {
        return Err(ResumeError::OtherWorkflow {
            expected: W::NAME,
            found: snapshot.workflow.clone(),
        });
    }
    if snapshot.version != SNAPSHOT_VERSION {
        return Err(ResumeError::Version {
            expected: SNAPSHOT_VERSION,
            found: snapshot.version,
        });
    }
    if snapshot.fingerprint == fingerprint::<W>() {
        return Ok(());
    }
    let state = std::any::type_name::<W::State>();
    if snapshot.state_type != state {
        return Err(ResumeError::StateChanged {
            was: snapshot.state_type.clone(),
            now: state,
        });
    }
    for (name, was) in &snapshot.events {
        let event = event_named::<W>(name).ok_or_else(|| ResumeError::EventRemoved {
            event: name.clone(),
        })?;
        let now = event.fields;
        let same = was.len() == now.len()
            && was
                .iter()
                .zip(now)
                .all(|(was, now)| was.0 == now.0 && was.1 == now.1);
        if !same {
            return Err(ResumeError::FieldsChanged {
                event: name.clone(),
                was: shown(was.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
                now: shown(now.iter().copied()),
            });
        }
    }
    let invocations = snapshot
        .in_flight
        .iter()
        .map(|in_flight| &in_flight.invocation)
        .chain(&snapshot.queued);
    for invocation in invocations {
        let step = step_named::<W>(&invocation.step)?;
        if let Some(event) = invocation
            .events
            .iter()
            .find(|event| !step.accepts.iter().any(|info| info.name == event.name))
        {
            return Err(ResumeError::NotTaken {
                step: invocation.step.clone(),
                event: event.name.clone(),
            });
        }
    }
    for collected in &snapshot.collected {
        step_named::<W>(&collected.step)?;
    }
    for fan_out in &snapshot.fan_outs.groups {
        step_named::<W>(&fan_out.from)?;
    }
    for sent in &snapshot.inbox {
        if let Some(step) = &sent.to {
            step_named::<W>(step)?;
        }
    }
    Ok(())
}

/// The step of `W` named `name`, by index.
pub fn step_index<W: Blueprint>(name: &str) -> Result<usize, ResumeError> {
    W::STEPS
        .iter()
        .position(|step| step.name == name)
        .ok_or_else(|| ResumeError::StepRemoved {
            step: name.to_owned(),
        })
}

fn step_named<W: Blueprint>(name: &str) -> Result<&'static StepInfo, ResumeError> {
    step_index::<W>(name).map(|index| &W::STEPS[index])
}

/// The event type of `W` named `name`: one a step accepts, returns, sends,
/// writes or waits for.
pub fn event_named<W: Blueprint>(name: &str) -> Option<&'static EventInfo> {
    W::STEPS
        .iter()
        .flat_map(|step| {
            [
                step.accepts,
                step.returns,
                step.sends,
                step.writes,
                step.waits_for,
            ]
        })
        .flatten()
        .find(|event| event.name == name)
}

/// The events the runtime itself publishes on a run's stream, whatever the
/// workflow: its observer events, a dropped-events marker, and the events
/// that say why a run ended without its stop event.
pub const LIBRARY_EVENTS: [EventInfo; 8] = [
    <crate::observe::StepStarted as crate::Event>::INFO,
    <crate::observe::StepFinished as crate::Event>::INFO,
    <crate::observe::StepFailed as crate::Event>::INFO,
    <crate::observe::RunIdle as crate::Event>::INFO,
    <crate::EventsDropped as crate::Event>::INFO,
    <crate::WorkflowFailedEvent as crate::Event>::INFO,
    <crate::WorkflowTimedOutEvent as crate::Event>::INFO,
    <crate::WorkflowCancelledEvent as crate::Event>::INFO,
];

/// The event type named `name` that a run of `W` may publish on its
/// stream: one of `W`'s ([`event_named`]) or of the runtime's own
/// ([`LIBRARY_EVENTS`]).
pub fn stream_event_named<W: Blueprint>(name: &str) -> Option<&'static EventInfo> {
    event_named::<W>(name).or_else(|| LIBRARY_EVENTS.iter().find(|event| event.name == name))
}

/// Fields as `name: Type, ...`.
fn shown<'a>(fields: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    fields
        .map(|(name, ty)| format!("{name}: {ty}"))
        .collect::<Vec<_>>()
        .join(", ")
}
