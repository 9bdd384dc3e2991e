//! Putting a run together again: a snapshot's records decoded into the
//! typed events and invocations of a workflow, which the run then takes.

use std::sync::Arc;
use std::time::Duration;

use crate::answers::Answers;
use crate::context::Context;
use crate::inbox::Sent;
use crate::run::fan::{Branch, Fans};
use crate::workflow::Workflow;
use workflow_model::__private::EventInfo;
use workflow_model::snapshot::{
    EventRecord, Queued, ResumeError, RunSnapshot, event_named, step_index,
};
use workflow_model::{AnyEvent, RunId};

/// An invocation a snapshot held: its step's index, its branch, its input,
/// and for one that was in flight, its record of its attempt and answers.
pub(crate) struct Resumed<W: Workflow> {
    pub(crate) step: usize,
    pub(crate) branch: Branch,
    pub(crate) pending: W::Pending,
    pub(crate) answers: Option<Arc<Answers>>,
}

/// A snapshot of a run of `W`, decoded.
pub(crate) struct Restored<W: Workflow> {
    pub(crate) run_id: RunId,
    /// What the run's state machine takes up.
    pub(crate) run: RestoredRun<W>,
    /// What the run's context and channel take up.
    pub(crate) context: RestoredContext,
    pub(crate) state: W::State,
    pub(crate) timeout_left: Option<Duration>,
}

/// The part of a snapshot the run's state machine takes up.
pub(crate) struct RestoredRun<W: Workflow> {
    /// The invocations to start, in flight first.
    pub(crate) invocations: Vec<Resumed<W>>,
    pub(crate) fans: Option<Fans>,
    /// How many failures each step has recovered from.
    pub(crate) recoveries: Vec<(usize, u32)>,
}

/// The part of a snapshot the run's context and channel take up.
pub(crate) struct RestoredContext {
    /// What each step was collecting, one type per entry.
    collected: Vec<(usize, Vec<AnyEvent>)>,
    /// The inbox: each event, the step it was sent to, and whether it was
    /// kept for a later wait.
    inbox: Vec<(Option<usize>, AnyEvent, bool)>,
    next_sequence: u64,
    /// The store's sequence number of the last input the snapshot holds.
    inputs_through: u64,
    /// The store's inputs that came after: each with its sequence number
    /// and the step it was sent to.
    later_inputs: Vec<(u64, Option<usize>, AnyEvent)>,
}

impl RestoredContext {
    /// Puts it back into `ctx`, of a run not started yet.
    pub(crate) fn refill<W: Workflow>(self, ctx: &Context<W>) {
        ctx.channel().continue_from(self.next_sequence);
        for (step, events) in self.collected {
            ctx.collector().restore(step, events);
        }
        let mut incoming = ctx.channel().inbox();
        incoming.restore_inputs_through(self.inputs_through);
        if self.inbox.is_empty() && self.later_inputs.is_empty() {
            return;
        }
        for (to, event, kept) in self.inbox {
            incoming.restore::<W>(to, event, kept);
        }
        let later = self
            .later_inputs
            .into_iter()
            .map(|(seq, to, event)| (seq, Sent::restored::<W>(event, to)))
            .collect();
        incoming.send_stored(later);
        incoming.flag_incoming();
    }

    /// The store's sequence number of the last input the snapshot holds.
    pub(crate) fn inputs_through(&self) -> u64 {
        self.inputs_through
    }

    /// Adds the store's input numbered `seq`, which came after the
    /// snapshot: `event`, sent to the step named `to` if one was named.
    pub(crate) fn add_later_input<W: Workflow>(
        &mut self,
        seq: u64,
        to: Option<&str>,
        event: EventRecord,
    ) -> Result<(), ResumeError> {
        let to = to.map(step_index::<W>).transpose()?;
        self.later_inputs.push((seq, to, decode::<W>(event)?));
        Ok(())
    }
}

impl<W: Workflow> Restored<W> {
    /// Decodes `snapshot`, which [`check`](workflow_model::snapshot::check) accepted.
    pub(crate) fn of(snapshot: RunSnapshot) -> Result<Self, ResumeError> {
        let in_flight = snapshot.in_flight.into_iter().map(|in_flight| {
            let answers = in_flight
                .answers
                .into_iter()
                .map(|answer| answer.map(decode::<W>).transpose())
                .collect::<Result<_, _>>()?;
            let answers = Answers::resumed(in_flight.attempt, answers, in_flight.effects);
            let resumed = invocation::<W>(in_flight.invocation)?;
            Ok(Resumed {
                answers: Some(Arc::new(answers)),
                ..resumed
            })
        });
        let queued = snapshot.queued.into_iter().map(invocation::<W>);
        let invocations = in_flight
            .chain(queued)
            .collect::<Result<_, ResumeError>>()?;
        let groups = snapshot
            .fan_outs
            .groups
            .into_iter()
            .map(|group| {
                let gathered = group
                    .gathered
                    .into_iter()
                    .map(|(index, record)| {
                        let key = event_info::<W>(&record.name)?.key;
                        Ok((index, key, decode::<W>(record)?))
                    })
                    .collect::<Result<_, ResumeError>>()?;
                let from = step_index::<W>(&group.from)?;
                let parent = Branch::from_raw(group.parent);
                Ok((group.group, from, parent, group.nested, gathered))
            })
            .collect::<Result<Vec<_>, ResumeError>>()?;
        let fans = (!groups.is_empty() || snapshot.fan_outs.next_group > 0)
            .then(|| Fans::restore(snapshot.fan_outs.next_group, groups));
        let recoveries = snapshot
            .recoveries
            .iter()
            .map(|(step, recovered)| Ok((step_index::<W>(step)?, *recovered)))
            .collect::<Result<_, ResumeError>>()?;
        let collected = snapshot
            .collected
            .into_iter()
            .map(|collected| {
                let events = collected
                    .events
                    .into_iter()
                    .map(decode::<W>)
                    .collect::<Result<_, _>>()?;
                Ok((step_index::<W>(&collected.step)?, events))
            })
            .collect::<Result<_, ResumeError>>()?;
        let inbox = snapshot
            .inbox
            .into_iter()
            .map(|sent| {
                let to = sent.to.as_deref().map(step_index::<W>).transpose()?;
                Ok((to, decode::<W>(sent.event)?, sent.kept))
            })
            .collect::<Result<_, ResumeError>>()?;
        let state =
            serde_json::from_value(snapshot.state).map_err(|error| ResumeError::Decode {
                what: "the state".to_owned(),
                error: error.to_string(),
            })?;
        Ok(Self {
            run_id: snapshot.run_id,
            run: RestoredRun {
                invocations,
                fans,
                recoveries,
            },
            context: RestoredContext {
                collected,
                inbox,
                next_sequence: snapshot.next_sequence,
                inputs_through: snapshot.inputs_through,
                later_inputs: Vec::new(),
            },
            state,
            timeout_left: snapshot.timeout_left,
        })
    }
}

/// The invocation a snapshot queued, as its step's input.
fn invocation<W: Workflow>(queued: Queued) -> Result<Resumed<W>, ResumeError> {
    let step = step_index::<W>(&queued.step)?;
    let mut events: Vec<AnyEvent> = queued
        .events
        .into_iter()
        .map(decode::<W>)
        .collect::<Result<_, _>>()?;
    let pending = if W::STEPS[step].gathers {
        W::gather(step, events)
    } else {
        let event = events.pop().ok_or_else(|| ResumeError::Decode {
            what: format!("an invocation of step `{}`", queued.step),
            error: "it has no input event".to_owned(),
        })?;
        W::WRAP[step](&mut *event.into_slot())
    };
    Ok(Resumed {
        step,
        branch: Branch::from_raw(queued.branch),
        pending,
        answers: None,
    })
}

fn event_info<W: Workflow>(name: &str) -> Result<&'static EventInfo, ResumeError> {
    event_named::<W>(name).ok_or_else(|| ResumeError::EventRemoved {
        event: name.to_owned(),
    })
}

/// The event `record` holds, as the type of its name.
pub(crate) fn decode<W: Workflow>(record: EventRecord) -> Result<AnyEvent, ResumeError> {
    let info = event_info::<W>(&record.name)?;
    (info.decode)(record.value).map_err(|error| ResumeError::Decode {
        what: format!("event `{}`", record.name),
        error: error.to_string(),
    })
}
