//! Writing a run down: what each owner of a run's state adds to its
//! snapshot goes through [`Capture`], which records each event by its
//! stable name and notes the shape of its type.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::answers::Answers;
use crate::run::fan::Branch;
use crate::workflow::Workflow;
use workflow_model::snapshot::{
    EventRecord, FanOuts, InFlight, Queued, RunSnapshot, SNAPSHOT_VERSION, SnapshotError,
    event_named, fingerprint,
};
use workflow_model::{AnyEvent, RunId};

/// A snapshot of a run of `W` being written.
pub(crate) struct Capture<W: Workflow> {
    pub(crate) snapshot: RunSnapshot,
    /// The events handed to waits whose steps have not taken them yet, by
    /// the wait's invocation and place among its waits.
    handed: Vec<(usize, usize, AnyEvent)>,
    workflow: PhantomData<fn() -> W>,
}

impl<W: Workflow> Capture<W> {
    /// A snapshot of the run `run_id`, being written, whose waits were
    /// `handed` events their steps have not taken yet (see
    /// [`Inbox::handed`](crate::inbox::Inbox::handed)).
    pub(crate) fn new(run_id: RunId, handed: Vec<(usize, usize, AnyEvent)>) -> Self {
        Self {
            handed,
            snapshot: RunSnapshot {
                version: SNAPSHOT_VERSION,
                workflow: W::NAME.to_owned(),
                run_id,
                fingerprint: fingerprint::<W>(),
                events: BTreeMap::new(),
                state_type: std::any::type_name::<W::State>().to_owned(),
                state: serde_json::Value::Null,
                in_flight: Vec::new(),
                queued: Vec::new(),
                collected: Vec::new(),
                fan_outs: FanOuts::default(),
                inbox: Vec::new(),
                recoveries: BTreeMap::new(),
                timeout_left: None,
                next_sequence: 0,
                inputs_through: 0,
            },
            workflow: PhantomData,
        }
    }

    /// The record of `event`, whose type's shape the snapshot notes.
    pub(crate) fn event(&mut self, event: &AnyEvent) -> Result<EventRecord, SnapshotError> {
        let record = EventRecord::of(event)?;
        if !self.snapshot.events.contains_key(&record.name) {
            let fields = event_named::<W>(&record.name).map_or(&[][..], |info| info.fields);
            let fields = fields
                .iter()
                .map(|(name, ty)| ((*name).to_owned(), (*ty).to_owned()))
                .collect();
            self.snapshot.events.insert(record.name.clone(), fields);
        }
        Ok(record)
    }

    /// The records of `events`.
    pub(crate) fn events(
        &mut self,
        events: &[AnyEvent],
    ) -> Result<Vec<EventRecord>, SnapshotError> {
        events.iter().map(|event| self.event(event)).collect()
    }

    /// The record of the invocation `pending`, in `branch`.
    pub(crate) fn invocation(
        &mut self,
        pending: &W::Pending,
        branch: Branch,
    ) -> Result<Queued, SnapshotError> {
        let (step, events) = W::pending_events(pending);
        Ok(Queued {
            step: W::STEPS[step].name.to_owned(),
            events: self.events(&events)?,
            branch: branch.raw(),
        })
    }

    /// The record of the invocation in flight `pending`, in `branch`, with
    /// `answers`, its record of its attempt and answers if it keeps one.
    pub(crate) fn in_flight(
        &mut self,
        pending: &W::Pending,
        branch: Branch,
        answers: Option<&Answers>,
    ) -> Result<InFlight, SnapshotError> {
        let invocation = self.invocation(pending, branch)?;
        let mut received = answers.map(Answers::received).unwrap_or_default();
        // An answer handed over that the step has not taken yet is the
        // invocation's as much as one it took.
        let key = answers.map(Answers::key);
        for (_, nth, event) in self.handed.iter().filter(|(of, ..)| Some(*of) == key) {
            if received.len() <= *nth {
                received.resize_with(nth + 1, || None);
            }
            received[*nth].get_or_insert_with(|| event.clone());
        }
        let recorded = received
            .iter()
            .map(|answer| answer.as_ref().map(|event| self.event(event)).transpose())
            .collect::<Result<_, _>>()?;
        Ok(InFlight {
            invocation,
            attempt: answers.map_or(1, Answers::attempt),
            answers: recorded,
            effects: answers.map(Answers::effects).unwrap_or_default(),
        })
    }

    /// Notes the run's state.
    pub(crate) fn state(&mut self, state: &W::State) -> Result<(), SnapshotError> {
        self.snapshot.state =
            serde_json::to_value(state).map_err(|error| SnapshotError::NotSerializable {
                what: "the state".to_owned(),
                error: error.to_string(),
            })?;
        Ok(())
    }
}
