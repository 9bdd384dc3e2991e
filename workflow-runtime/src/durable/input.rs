//! Input through the store: [`Runner::send_input`], which records an event
//! for a durable run before anything else, and hands it to the run where
//! it is.

use serde::{Deserialize, Serialize};
use workflow_model::__private::TakenBy;
use workflow_model::RunId;
use workflow_model::snapshot::{self, EventRecord, ResumeError, SnapshotError};
use workflow_model::{AnyEvent, InputEvent, SendError};
use workflow_store::{Record, Store, StoreError};

use super::live::{Here, Live};
use super::read::until_created;
use super::recover::RecoverError;
use crate::context::step_index;
use crate::handler::check_taken;
use crate::inbox::Sent;
use crate::named::decode_input;
use crate::run::Runner;
use crate::snapshotting::restore::{RestoredContext, decode};
use crate::workflow::Workflow;

/// An input event as the store keeps it: the event, and the step it was
/// sent to alone, if one was named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct InputRecord {
    pub(crate) to: Option<String>,
    pub(crate) event: EventRecord,
}

impl InputRecord {
    /// The record's bytes, as JSON.
    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an input record is JSON")
    }

    /// The record the store's input `input` holds.
    fn read(input: &Record) -> Result<Self, ResumeError> {
        serde_json::from_slice(&input.bytes).map_err(|error| ResumeError::Decode {
            what: format!("input {} of the store", input.seq),
            error: error.to_string(),
        })
    }
}

/// Adds to `context` the inputs of `inputs` (the store's unconsumed ones)
/// that came after the snapshot it is of.
pub(crate) fn add_later_inputs<W: Workflow>(
    context: &mut RestoredContext,
    inputs: &[Record],
) -> Result<(), ResumeError> {
    let after = context.inputs_through();
    for input in inputs.iter().filter(|input| input.seq > after) {
        let record = InputRecord::read(input)?;
        context.add_later_input::<W>(input.seq, record.to.as_deref(), record.event)?;
    }
    Ok(())
}

/// The store's unconsumed `inputs`, in order, as the run's inbox takes
/// them.
pub(crate) fn inbox_inputs<W: Workflow>(
    inputs: &[Record],
) -> Result<Vec<(u64, Sent)>, ResumeError> {
    inputs
        .iter()
        .map(|input| {
            let record = InputRecord::read(input)?;
            let to = record
                .to
                .as_deref()
                .map(snapshot::step_index::<W>)
                .transpose()?;
            let event = decode::<W>(record.event)?;
            Ok((input.seq, Sent::restored::<W>(event, to)))
        })
        .collect()
}

/// Records `input` for `run` in `store`, once the store holds the run: a
/// run started in this process is created there with its first record.
async fn record_input(store: &dyn Store, run: RunId, input: Vec<u8>) -> Result<u64, StoreError> {
    let mut notices = store.notices();
    loop {
        match store.send_input(run, input.clone()).await {
            Err(StoreError::NotFound { .. }) if Live::is_live(run) => {
                // Not an error while it is live: the wait ends with the
                // notice of its creation, or a poll.
                let _ = until_created(store, &mut notices, run).await;
            }
            recorded => return recorded,
        }
    }
}

/// Whether the run `run` has taken its input numbered `seq`.
async fn consumed(store: &dyn Store, run: RunId, seq: u64) -> Result<bool, StoreError> {
    let loaded = store.load(run).await?;
    Ok(loaded.is_some_and(|loaded| loaded.inputs.iter().all(|input| input.seq != seq)))
}

/// Why [`Runner::send_input`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The runner has no store: see [`Runner::durable`].
    #[error("the runner is not durable: give it a store with `Runner::durable`")]
    NotDurable,
    /// The event is not one the step it was sent to takes, or there is no
    /// such step: nothing was recorded.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The event does not serialize: nothing was recorded.
    #[error(transparent)]
    Serialize(#[from] SnapshotError),
    /// The store failed, has no such run, or the run has ended: nothing
    /// was recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The input is recorded, numbered `seq`, but the run, parked or left
    /// by a crash, could not be taken up in this process: it takes the
    /// input when it is (see [`Runner::attach`]).
    #[error("input {seq} of run {run} is recorded, but the run could not be taken up: {source}")]
    NotTakenUp {
        /// The run.
        run: RunId,
        /// The input's sequence number in the store.
        seq: u64,
        /// Why the run could not be taken up.
        source: RecoverError,
    },
}

impl<W: Workflow> Runner<W> {
    /// Sends `event` to the durable run `run` through the runner's store,
    /// and returns its sequence number there once it is recorded: the
    /// input survives a crash from then on, where one sent with
    /// [`WorkflowHandler::send_event`](crate::WorkflowHandler::send_event)
    /// is recorded with the run's next record.
    ///
    /// The event then goes where the run is: into its inbox if it runs in
    /// this process, routed as `send_event` routes it; a run that was
    /// parked (written out while it only waited for input) or left by a
    /// crash is taken up in this process, as
    /// [`attach`](Self::attach) does, with the input in its inbox. A run
    /// that another process holds (the call returns once the input is
    /// recorded) takes it there as soon as that process hears of it from
    /// the store (a [`Notice`](workflow_store::Notice)
    /// of input, which a store shared by processes carries between them),
    /// or else when it next loads.
    ///
    /// The inbox limit of the runner does not apply: the store already
    /// holds the input.
    ///
    /// # Errors
    ///
    /// See [`InputError`]: nothing is recorded unless the error is
    /// [`InputError::NotTakenUp`].
    pub async fn send_input<E>(&self, run: RunId, event: E) -> Result<u64, InputError>
    where
        E: InputEvent,
        E::Itself: TakenBy<W>,
    {
        self.send_stored(run, None, AnyEvent::new(event)).await
    }

    /// Sends `event` to the step named `step` alone of the durable run
    /// `run`, as [`send_input`](Self::send_input) does, and as
    /// [`WorkflowHandler::send_event_to`](crate::WorkflowHandler::send_event_to)
    /// routes it.
    ///
    /// # Errors
    ///
    /// As [`send_input`](Self::send_input); [`SendError::UnknownStep`] or
    /// [`SendError::NotTaken`] (in [`InputError::Send`]) as `send_event_to`.
    pub async fn send_input_to<E>(
        &self,
        run: RunId,
        step: &str,
        event: E,
    ) -> Result<u64, InputError>
    where
        E: InputEvent,
        E::Itself: TakenBy<W>,
    {
        let index = step_index::<W>(step, E::NAME)?;
        check_taken::<W, E>(index)?;
        self.send_stored(run, Some(index), AnyEvent::new(event))
            .await
    }

    /// Sends the input event named `name`, given as JSON, to the durable
    /// run `run` (to the step named `step` alone, if one is given), as
    /// [`send_input`](Self::send_input) sends a typed one, and as
    /// [`WorkflowHandler::send_json`](crate::WorkflowHandler::send_json)
    /// decodes and checks it.
    ///
    /// # Errors
    ///
    /// As [`send_input`](Self::send_input), and in [`InputError::Send`]
    /// the errors of `send_json`'s checks.
    pub async fn send_input_json(
        &self,
        run: RunId,
        name: &str,
        value: serde_json::Value,
        step: Option<&str>,
    ) -> Result<u64, InputError> {
        let input = decode_input::<W>(name, value, step)?;
        self.send_stored(run, input.to, input.event).await
    }

    async fn send_stored(
        &self,
        run: RunId,
        to: Option<usize>,
        event: AnyEvent,
    ) -> Result<u64, InputError> {
        let durability = self.durability().ok_or(InputError::NotDurable)?;
        let record = InputRecord {
            to: to.map(|step| W::STEPS[step].name.to_owned()),
            event: EventRecord::of(&event)?,
        };
        let store = &*durability.store;
        let seq = record_input(store, run, record.to_bytes()).await?;
        let not_taken_up = |source| InputError::NotTakenUp { run, seq, source };
        loop {
            match Live::here(run) {
                Here::Live(Some(inlet)) => {
                    // Every input the store holds unconsumed, this one among
                    // them, in order: the run takes those it does not hold
                    // yet, whoever sent them, so that none is skipped.
                    let loaded = store.load(run).await?.ok_or_else(|| StoreError::NotFound {
                        store: store.describe(),
                        run,
                    })?;
                    let inputs = inbox_inputs::<W>(&loaded.inputs).map_err(|source| {
                        not_taken_up(RecoverError::Incompatible { run, source })
                    })?;
                    if inlet.send_stored(inputs) {
                        return Ok(seq);
                    }
                    // It is parking or ending: once it is not live, it is
                    // taken up from the store, with this input.
                    Live::until_changed(|| Live::is_live(run)).await;
                }
                // Being taken up: once its inbox is open, or it is not live.
                Here::Live(None) => {
                    Live::until_changed(|| matches!(Live::here(run), Here::Live(None))).await;
                }
                Here::Absent => match self.attach(run).await {
                    // Taken up after the input was recorded, with it.
                    Ok(handler) => {
                        drop(handler);
                        return Ok(seq);
                    }
                    Err(RecoverError::Live { .. }) => {}
                    // Ended since: with this input, if it took it.
                    Err(RecoverError::Ended { .. }) if consumed(store, run, seq).await? => {
                        return Ok(seq);
                    }
                    // Another process holds it: it takes the input on the
                    // store's notice of it, or when it next loads.
                    Err(RecoverError::Store(StoreError::LeaseHeld { .. })) => return Ok(seq),
                    Err(source) => return Err(not_taken_up(source)),
                },
            }
        }
    }
}
