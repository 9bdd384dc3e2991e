//! [`StoreError`]: what can go wrong in a store, and what to do about it.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use workflow_model::RunId;

/// One of a run's two ordered logs whose appends are conditional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// The run's journal of opaque records.
    Journal,
    /// The run's stream of events for watchers.
    Stream,
}

impl fmt::Display for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Journal => "journal",
            Self::Stream => "stream",
        })
    }
}

/// Why a store operation failed.
///
/// Every message names the store (its [`describe`](crate::Store::describe)),
/// the run and the record or operation, and says what to do next.
///
/// ```
/// use workflow_store::{StoreError, Log};
/// use workflow_model::RunId;
///
/// let run = RunId::next();
/// let error = StoreError::Conflict {
///     store: "memory".into(),
///     run,
///     log: Log::Journal,
///     expected: 4,
///     found: 3,
/// };
/// assert!(error.to_string().contains("journal"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No run has this id.
    #[error(
        "{store}: there is no run {run}; check the id, and that the run was created in this store"
    )]
    NotFound {
        /// The store asked.
        store: String,
        /// The id asked for.
        run: RunId,
    },
    /// A run with this id exists already.
    #[error("{store}: run {run} exists already; give the new run a fresh id")]
    AlreadyExists {
        /// The store asked.
        store: String,
        /// The id that is taken.
        run: RunId,
    },
    /// Another owner holds a live lease of the run.
    #[error(
        "{store}: run {run} is leased to `{owner}` for {expires_in:?} more; claim it after that lease expires, or claim another run"
    )]
    LeaseHeld {
        /// The store asked.
        store: String,
        /// The run asked for.
        run: RunId,
        /// Who holds the lease.
        owner: String,
        /// How long the lease lasts yet, by the store's clock.
        expires_in: Duration,
    },
    /// The caller's lease is no longer the run's current one: it expired,
    /// was released, or another owner claimed the run since (a higher
    /// epoch). The caller must stop writing to the run.
    #[error(
        "{store}: the lease of run {run} that `{owner}` took at epoch {epoch} is no longer current (expired, released, or claimed by another owner); stop working on the run, and claim it again to go on"
    )]
    LeaseLost {
        /// The store asked.
        store: String,
        /// The run written to.
        run: RunId,
        /// The owner named in the stale lease.
        owner: String,
        /// The epoch of the stale lease.
        epoch: u64,
    },
    /// A conditional append found another next sequence number than the
    /// batch expected: another writer, or an earlier commit whose reply was
    /// lost, got there first. Load the run and reconcile.
    #[error(
        "{store}: run {run}: the batch appends {log} record {found} but the {log}'s next record is {expected}; load the run and reconcile with what it holds"
    )]
    Conflict {
        /// The store asked.
        store: String,
        /// The run written to.
        run: RunId,
        /// Which log the condition failed on.
        log: Log,
        /// The log's next sequence number in the store.
        expected: u64,
        /// The sequence number the batch appended at.
        found: u64,
    },
    /// The run has finished: it takes no more commits, leases or input.
    #[error(
        "{store}: run {run} has finished, so it takes no {operation}; load it to read its outcome"
    )]
    Finished {
        /// The store asked.
        store: String,
        /// The finished run.
        run: RunId,
        /// What was refused: "commit", "claim", "input", ...
        operation: &'static str,
    },
    /// The batch asks for something impossible, such as consuming input
    /// that was never sent: a bug in the caller.
    #[error("{store}: run {run}: the batch is invalid: {detail}")]
    Invalid {
        /// The store asked.
        store: String,
        /// The run written to.
        run: RunId,
        /// What is wrong with the batch.
        detail: String,
    },
    /// The store's data failed a checksum or an integrity check: it
    /// returns no data it cannot verify.
    #[error("{store} is damaged: {detail}; restore it from a backup")]
    Corrupt {
        /// The damaged store (for SQLite, the file).
        store: String,
        /// What failed to verify: which run and record, or which check.
        detail: String,
    },
    /// The backend failed (I/O, the database, a lost worker thread). The
    /// outcome of a commit that fails this way is unknown: load the run to
    /// see whether it landed.
    #[error(
        "{store}: {operation} failed: {source}; for a commit, load the run to see whether it landed"
    )]
    Backend {
        /// The store asked.
        store: String,
        /// What was being done, naming the run and record where known.
        operation: String,
        /// The backend's own error.
        source: Box<dyn Error + Send + Sync>,
    },
}
