//! Going on with the runs a store holds unfinished: [`Runner::recover`] and
//! [`Runner::attach`].

use std::fmt;

use workflow_model::RunId;
use workflow_model::snapshot::{ResumeError, RunSnapshot, check};
use workflow_store::{Claimed, Loaded, RunFilter, StatusKind, StoreError};

use std::time::SystemTime;

use super::commit::run_sequence;
use super::live::Live;
use super::{Journaling, RUN_TIMEOUT};
use crate::handler::WorkflowHandler;
use crate::run::Runner;
use crate::workflow::Workflow;

/// What [`Runner::recover`] found in its store.
pub struct Recovered<W: Workflow> {
    /// The runs it went on with, one handler each, oldest first.
    pub resumed: Vec<WorkflowHandler<W>>,
    /// The unfinished runs it left as they are, and why.
    pub left: Vec<(RunId, RecoverError)>,
}

impl<W: Workflow> fmt::Debug for Recovered<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recovered")
            .field("resumed", &self.resumed)
            .field("left", &self.left)
            .finish()
    }
}

/// Why a run of a store could not be taken up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoverError {
    /// The runner has no store: see [`Runner::durable`].
    #[error("the runner is not durable: give it a store with `Runner::durable`")]
    NotDurable,
    /// The store failed, has no such run, or another worker holds it.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The run's record no longer fits this build of the workflow; the
    /// run is left as it is, for a build it fits.
    #[error("run {run} cannot go on with this build of the workflow: {source}")]
    Incompatible {
        /// The run.
        run: RunId,
        /// What changed.
        source: ResumeError,
    },
    /// The run's record does not read as a snapshot.
    #[error("the record of run {run} does not read as a snapshot: {message}")]
    Unreadable {
        /// The run.
        run: RunId,
        /// serde's message.
        message: String,
    },
    /// The run has ended: there is nothing to go on with.
    #[error("run {run} has ended")]
    Ended {
        /// The run.
        run: RunId,
    },
    /// The run is running in this process already.
    #[error("run {run} is running in this process already")]
    Live {
        /// The run.
        run: RunId,
    },
}

impl<W: Workflow> Runner<W> {
    /// Goes on with every unfinished run of this workflow in the runner's
    /// store that no live worker holds and this process is not running:
    /// the runs a crash or a restart left, and the parked runs that input
    /// or a due timeout wakes (a parked run with neither stays in the
    /// store, costing no memory, until [`send_input`](Self::send_input)
    /// or [`attach`](Self::attach)). Each goes on from its last record, in
    /// a task of this runner; an invocation that was in flight there runs
    /// again from its top, with the answers its waits had received and the
    /// results of its effects. A run whose record no longer fits this build
    /// of the workflow (see [`ResumeError`]) is left untouched, and listed.
    ///
    /// # Errors
    ///
    /// [`RecoverError::NotDurable`] for a runner without a store, and the
    /// store's error if it cannot list its runs.
    pub async fn recover(&self) -> Result<Recovered<W>, RecoverError> {
        let durability = self.durability().ok_or(RecoverError::NotDurable)?;
        let filter = RunFilter::new()
            .workflow(W::NAME)
            .status(StatusKind::Running);
        let runs = durability.store.list(&filter).await?;
        let mut recovered = Recovered {
            resumed: Vec::new(),
            left: Vec::new(),
        };
        for run in runs {
            if Live::is_live(run.id) {
                continue;
            }
            match self.attach(run.id).await {
                Ok(handler) => recovered.resumed.push(handler),
                Err(error) => recovered.left.push((run.id, error)),
            }
        }
        // The parked ones that input or a due timer wakes, a batch at a
        // time: their leases were given up when they parked.
        while self.take_up_ready(&mut recovered).await? > 0 {}
        Ok(recovered)
    }

    /// Claims a batch of the store's ready runs of this workflow and goes
    /// on with each, adding it to `recovered`; how many were claimed.
    pub(crate) async fn take_up_ready(
        &self,
        recovered: &mut Recovered<W>,
    ) -> Result<usize, RecoverError> {
        let durability = self.durability().ok_or(RecoverError::NotDurable)?;
        let workflows = [durability.key.clone()];
        let claimed = durability
            .store
            .claim_ready(&durability.owner, &workflows, CLAIM_BATCH)
            .await?;
        let count = claimed.len();
        for claimed in claimed {
            let run = claimed.lease.run;
            let taken = Live::mark_once_ended(run, ENDING_GRACE)
                .await
                .ok_or(RecoverError::Live { run })
                .and_then(|live| self.take_up(claimed, live));
            match taken {
                Ok(handler) => recovered.resumed.push(handler),
                Err(error) => recovered.left.push((run, error)),
            }
        }
        Ok(count)
    }

    /// Goes on with the run `run` of the runner's store, as
    /// [`recover`](Self::recover) does for each, and returns its handler.
    ///
    /// # Errors
    ///
    /// See [`RecoverError`]: the run is unknown to the store, has ended,
    /// runs in this process or under another worker's lease, or no longer
    /// fits this build of the workflow.
    pub async fn attach(&self, run: RunId) -> Result<WorkflowHandler<W>, RecoverError> {
        let durability = self.durability().ok_or(RecoverError::NotDurable)?;
        // Taken first, so that two calls at once cannot both take it up.
        let live = Live::mark(run).ok_or(RecoverError::Live { run })?;
        let store = &durability.store;
        let not_found = || StoreError::NotFound {
            store: store.describe(),
            run,
        };
        // Checked before the lease is taken, which would touch the run.
        let loaded = store.load(run).await?.ok_or_else(not_found)?;
        if loaded.meta.status.kind() == StatusKind::Finished {
            return Err(RecoverError::Ended { run });
        }
        check::<W>(&last_snapshot(&loaded)?)
            .map_err(|source| RecoverError::Incompatible { run, source })?;
        let claimed = store.claim(run, &durability.owner).await?;
        self.take_up(claimed, live)
    }

    /// Goes on with the run `claimed` holds, which `live` marks live here.
    fn take_up(&self, claimed: Claimed, live: Live) -> Result<WorkflowHandler<W>, RecoverError> {
        let run = claimed.lease.run;
        let mut snapshot = last_snapshot(&claimed.run)?;
        check::<W>(&snapshot).map_err(|source| RecoverError::Incompatible { run, source })?;
        // The stream may have gone on past the snapshot: a step in flight
        // wrote to it before the process ended. Its events keep their
        // numbers, and the run's next ones follow them.
        let stream_next = claimed.run.stream_next;
        snapshot.next_sequence = run_sequence(stream_next);
        // The run's timeout is a deadline of the store: the time the run
        // spent parked, or its process down, counts.
        if let Some(due) = timer_due(&claimed.run, RUN_TIMEOUT) {
            snapshot.timeout_left = Some(due.duration_since(SystemTime::now()).unwrap_or_default());
        }
        let journaling =
            Journaling::claimed(claimed.lease, (claimed.run.journal_next, stream_next), live);
        self.resume_journaled(snapshot, Some(journaling), &claimed.run.inputs)
            .map_err(|source| RecoverError::Incompatible { run, source })
    }
}

/// How many parked runs [`Runner::recover`] claims from its store at once.
pub(crate) const CLAIM_BATCH: usize = 64;

/// How long [`Runner::recover`] waits for a run it claimed to stop being
/// live here: a run that has just parked ends its task after its record
/// lands, and a run still going here whose lease lapsed is left to it.
const ENDING_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// When the timer `id` of `loaded` is due, if it is set.
fn timer_due(loaded: &Loaded, id: &str) -> Option<SystemTime> {
    loaded
        .timers
        .iter()
        .find(|timer| timer.id == id)
        .map(|timer| timer.due)
}

/// The last snapshot `loaded` holds: the one its first record wrote, or a
/// later one.
fn last_snapshot(loaded: &Loaded) -> Result<RunSnapshot, RecoverError> {
    let bytes = loaded
        .snapshot
        .as_ref()
        .map_or(&loaded.start, |snapshot| &snapshot.bytes);
    serde_json::from_slice(bytes).map_err(|error| RecoverError::Unreadable {
        run: loaded.meta.id,
        message: error.to_string(),
    })
}
