//! [`Owner`] and [`Lease`]: who may write to a run, and until when.

use std::time::{Duration, SystemTime};

use workflow_model::RunId;

/// A worker that takes leases: its id, unique among the workers sharing a
/// store, and how long each lease it takes lasts before it must be renewed.
///
/// ```
/// use std::time::Duration;
/// let owner = workflow_store::Owner::new("worker-1", Duration::from_secs(30));
/// assert_eq!(owner.id, "worker-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner {
    /// The worker's id.
    pub id: String,
    /// How long a lease lasts from when it is taken or renewed.
    pub lease_for: Duration,
}

impl Owner {
    /// The worker `id`, whose leases last `lease_for`.
    pub fn new(id: impl Into<String>, lease_for: Duration) -> Self {
        Self {
            id: id.into(),
            lease_for,
        }
    }
}

/// The right to write to one run until `expires_at`, at fencing `epoch`.
///
/// Each claim of a run raises its epoch, so a worker whose lease was taken
/// over cannot write, even if its clock says the lease still holds: every
/// commit checks owner, epoch and expiry against the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The run leased.
    pub run: RunId,
    /// Who holds it.
    pub owner: Owner,
    /// The run's epoch when the lease was taken.
    pub epoch: u64,
    /// When the lease expires, by the store's clock.
    pub expires_at: SystemTime,
}
