//! A durable run's writes through a store that fails for a moment (a
//! database restarting, a connection dropped): each is tried again, with a
//! doubling wait, for up to half the run's lease, and a commit whose first
//! try may have landed is reconciled by the store's rule (see
//! [`Store::commit`]) rather than written twice.

use std::time::Duration;

use tokio::time::Instant;
use workflow_model::RunId;
use workflow_store::{
    Batch, Claimed, Committed, Lease, Log, NewRun, Owner, RunStatus, StatusKind, Store, StoreError,
};

/// The first wait before a write is tried again, and the longest.
const FIRST_WAIT: Duration = Duration::from_millis(50);
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// The tries of one write: how long to wait before the next, and until
/// when it is worth trying.
struct Tries {
    wait: Duration,
    until: Instant,
}

impl Tries {
    /// Tries of a write under leases of `owner`: for half a lease, after
    /// which another worker may soon take the run over.
    fn of(owner: &Owner) -> Self {
        Self {
            wait: FIRST_WAIT,
            until: Instant::now() + owner.lease_for / 2,
        }
    }

    /// Waits before the next try after `error`, if that is worth one: the
    /// store failed, not the write's conditions, and there is time left.
    async fn again(&mut self, error: &StoreError, run: RunId) -> bool {
        if !matches!(error, StoreError::Backend { .. }) || Instant::now() + self.wait > self.until {
            return false;
        }
        tracing::warn!(%run, %error, retry_in = ?self.wait, "a write of the run failed; trying again");
        tokio::time::sleep(self.wait).await;
        self.wait = (self.wait * 2).min(LONGEST_WAIT);
        true
    }
}

/// Creates `run` for `owner`, trying again while the store fails. A try
/// after a failed one that finds the run already there takes its lease:
/// the failed try created it.
pub(super) async fn create(
    store: &dyn Store,
    run: NewRun,
    owner: &Owner,
) -> Result<Claimed, StoreError> {
    let mut tries = Tries::of(owner);
    let mut failed = false;
    loop {
        match store.create(run.clone(), owner).await {
            Ok(claimed) => return Ok(claimed),
            Err(StoreError::AlreadyExists { .. }) if failed => {
                return store.claim(run.id, owner).await;
            }
            Err(error) => {
                if !tries.again(&error, run.id).await {
                    return Err(error);
                }
                failed = true;
            }
        }
    }
}

/// Renews `lease`, trying again while the store fails.
pub(super) async fn renew(store: &dyn Store, lease: &Lease) -> Result<Lease, StoreError> {
    let mut tries = Tries::of(&lease.owner);
    loop {
        match store.renew(lease).await {
            Err(error) if tries.again(&error, lease.run).await => {}
            renewed => return renewed,
        }
    }
}

/// Commits `batch` under `lease` to a run whose next sequence numbers were
/// `expected` (journal, stream), trying again while the store fails. A try
/// after a failed one that is refused in a way only the failed try's
/// landing explains counts as that landing.
pub(super) async fn commit(
    store: &dyn Store,
    lease: &Lease,
    expected: (u64, u64),
    batch: Batch,
) -> Result<Committed, StoreError> {
    let mut tries = Tries::of(&lease.owner);
    let mut failed = false;
    loop {
        // A copy goes, as the store takes the batch: the next try, if one
        // is needed, sends it again.
        let error = match store.commit(lease, batch.clone()).await {
            Ok(committed) => return Ok(committed),
            Err(error) => error,
        };
        if failed && let Some(committed) = landed(store, lease, expected, &batch, &error).await {
            return Ok(committed);
        }
        if !tries.again(&error, lease.run).await {
            return Err(error);
        }
        failed = true;
    }
}

/// Whether a try of `batch` refused with `error`, after one that failed,
/// shows that the failed one landed: what it left, if so.
async fn landed(
    store: &dyn Store,
    lease: &Lease,
    (_, stream_next): (u64, u64),
    batch: &Batch,
    error: &StoreError,
) -> Option<Committed> {
    let after = Committed {
        journal_next: batch.journal_next + batch.journal.len() as u64,
        stream_next: stream_next + batch.stream.len() as u64,
    };
    let shows = match error {
        // Its records are there already.
        StoreError::Conflict {
            log: Log::Journal,
            expected,
            ..
        } => !batch.journal.is_empty() && *expected == after.journal_next,
        StoreError::Conflict {
            log: Log::Stream,
            expected,
            ..
        } => !batch.stream.is_empty() && *expected == after.stream_next,
        // It ended the run.
        StoreError::Finished { .. } => matches!(batch.status, Some(RunStatus::Finished { .. })),
        // It let go of the lease, parking the run or handing it back: so
        // if the run is as it left it, at the lease's epoch.
        StoreError::LeaseLost { .. } if batch.release || batch.status.is_some() => {
            let status = match batch.status {
                Some(RunStatus::Parked) => StatusKind::Parked,
                _ => StatusKind::Running,
            };
            store
                .load(lease.run)
                .await
                .ok()
                .flatten()
                .is_some_and(|run| {
                    run.meta.epoch == lease.epoch
                        && run.meta.status.kind() == status
                        && (run.journal_next, run.stream_next)
                            == (after.journal_next, after.stream_next)
                })
        }
        _ => false,
    };
    shows.then_some(after)
}
