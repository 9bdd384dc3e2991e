//! Cancelling a durable run: through its store, wherever it is
//! ([`Runner::cancel_stored`]), and the end of one whose handler cancelled
//! it, written by a task of its own since the run's task is gone by then.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use workflow_model::__private::terminal_event;
use workflow_model::{RunId, WorkflowError};
use workflow_store::{Batch, Change, Notice, Owner, RunStatus, Store, StoreError};

use super::Journal;
use super::commit::{store_sequence, stream_record};
use super::journal::Written;
use super::live::{Here, Live};
use super::outcome::Outcome;
use super::recover::RecoverError;
use crate::control::Request;
use crate::run::Runner;
use crate::stream::Publisher;
use crate::workflow::Workflow;

impl<W: Workflow> Runner<W> {
    /// Cancels the durable run `run` wherever it is, for a caller that
    /// holds no handler of it: in this process, as
    /// [`WorkflowHandler::cancel`](crate::WorkflowHandler::cancel) would;
    /// parked, or left by a crash, by writing its end to the store, with
    /// none of its steps run again. Its
    /// stream then ends with a
    /// [`WorkflowCancelledEvent`](crate::WorkflowCancelledEvent), and its
    /// store records that it was cancelled
    /// ([`stored_outcome`](Self::stored_outcome)). Returns `false` if the
    /// run had already ended, in any way. A run another process holds is
    /// cancelled once it parks or its lease lapses, if that comes within
    /// 10 s.
    ///
    /// # Errors
    ///
    /// See [`RecoverError`]: the store fails or has no such run, another
    /// worker holds its lease for longer, or it no longer fits this build
    /// of the workflow.
    pub async fn cancel_stored(&self, run: RunId) -> Result<bool, RecoverError> {
        let durability = self.durability().ok_or(RecoverError::NotDurable)?;
        let give_up = Instant::now() + HELD_WAIT;
        loop {
            match Live::here(run) {
                // Ended between two polls, with its end recorded as a
                // cancellation, unless it is parking or ending: then it is
                // taken up from the store once it is not live.
                Here::Live(Some(inlet)) => match inlet.ask(Request::Cancel) {
                    Ok(()) => return Ok(true),
                    Err(_) => Live::until_changed(|| Live::is_live(run)).await,
                },
                Here::Live(None) => {
                    Live::until_changed(|| matches!(Live::here(run), Here::Live(None))).await;
                }
                Here::Absent => {
                    // Taken here while its end is written, so that nothing
                    // takes it up meanwhile; live, it is asked instead.
                    let Some(live) = Live::mark(run) else {
                        continue;
                    };
                    let store = &*durability.store;
                    match cancel_in_store(store, &durability.owner, run).await {
                        // Another process runs it: once it parks or ends
                        // (its status changes), the store takes the end.
                        Err(RecoverError::Store(StoreError::LeaseHeld { .. }))
                            if Instant::now() < give_up =>
                        {
                            drop(live);
                            let mut notices = store.notices();
                            let _ =
                                tokio::time::timeout(HELD_POLL, until_status(&mut notices, run))
                                    .await;
                        }
                        ended => return ended,
                    }
                }
            }
        }
    }
}

/// How long [`Runner::cancel_stored`] waits for another process to let go
/// of a run.
const HELD_WAIT: Duration = Duration::from_secs(10);

/// How often it looks again meanwhile, without a notice: notices are hints.
const HELD_POLL: Duration = Duration::from_millis(250);

/// Waits for a notice that `run`'s status changed, or that its lease was
/// let go.
async fn until_status(notices: &mut broadcast::Receiver<Notice>, run: RunId) {
    loop {
        match notices.recv().await {
            Ok(notice)
                if notice.run == run
                    && matches!(notice.what, Change::Status | Change::Released) =>
            {
                return;
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_) | broadcast::error::RecvError::Closed) => {
                return;
            }
        }
    }
}

/// Ends the run `run`, parked or left by a crash, as cancelled in `store`,
/// without taking it up: none of its steps runs again. `false` if it had
/// ended.
async fn cancel_in_store(
    store: &dyn Store,
    owner: &Owner,
    run: RunId,
) -> Result<bool, RecoverError> {
    let claimed = match store.claim(run, owner).await {
        Ok(claimed) => claimed,
        Err(StoreError::Finished { .. }) => return Ok(false),
        Err(error) => return Err(error.into()),
    };
    let cancelled = terminal_event(&WorkflowError::Cancelled);
    let record = stream_record(&cancelled).map_err(|error| RecoverError::Unreadable {
        run,
        message: error.to_string(),
    })?;
    let batch = Batch::new(claimed.run.journal_next)
        .stream(claimed.run.stream_next, record)
        .status(RunStatus::Finished {
            outcome: Outcome::Cancelled.to_bytes(),
        });
    store.commit(&claimed.lease, batch).await?;
    Ok(true)
}

impl Journal {
    /// Writes, in a task of its own, that the run was cancelled, with the
    /// events its stream published since its last commit (its last, the
    /// event that says it was cancelled, among them). Nothing is written
    /// for a run not in the store yet, or outside a runtime.
    pub(crate) fn record_cancelled(&self, stream: &Publisher) {
        let Some(written) = self.last_written() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (first, events) = stream.take_tapped();
        // A record that will not serialize is left out; the end is not.
        let records: Vec<Vec<u8>> = events
            .iter()
            .filter_map(|event| stream_record(event).ok())
            .collect();
        let store = self.durability.store.clone();
        runtime.spawn(async move {
            if let Err(error) = write_cancelled(&store, written, first, records).await {
                tracing::warn!(
                    error = %WorkflowError::Store { source: error.into() }.with_causes(),
                    "a cancelled run could not record its end: it will be recovered"
                );
            }
        });
    }
}

/// Commits the end of a cancelled run, and its last stream `records`, the
/// first numbered `first` in the run. A commit the run's task had begun may
/// have landed all the same, when the task was dropped: then the end goes
/// after what the store holds, without the records.
async fn write_cancelled(
    store: &Arc<dyn Store>,
    written: Written,
    first: u64,
    records: Vec<Vec<u8>>,
) -> Result<(), StoreError> {
    let end = || RunStatus::Finished {
        outcome: Outcome::Cancelled.to_bytes(),
    };
    let mut batch = Batch::new(written.journal_next).status(end());
    for (sequence, record) in (first..).zip(records) {
        batch = batch.stream(store_sequence(sequence), record);
    }
    match store.commit(&written.lease, batch).await {
        Err(StoreError::Conflict { .. }) => {
            let loaded = store.load(written.lease.run).await?;
            let journal_next = loaded.map_or(written.journal_next, |loaded| loaded.journal_next);
            let batch = Batch::new(journal_next).status(end());
            store.commit(&written.lease, batch).await.map(drop)
        }
        committed => committed.map(drop),
    }
}
