//! [`Store`]: the interface every backend implements.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::broadcast;
use workflow_model::RunId;

use crate::batch::{Batch, Committed};
use crate::error::StoreError;
use crate::lease::{Lease, Owner};
use crate::notice::Notice;
use crate::run::{Claimed, Loaded, NewRun, RunFilter, RunMeta, StreamRecord, WorkflowKey};

/// A boxed future, so that [`Store`] is object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The durable store of journaled workflow runs.
///
/// Object-safe, so a runtime can hold an `Arc<dyn Store>`. Leases and
/// timers are measured by the store's [`Clock`](crate::Clock). Sequence
/// numbers of journal, stream and input records start at 1.
///
/// ```
/// use std::time::Duration;
/// use workflow_model::RunId;
/// use workflow_store::{Batch, MemoryStore, NewRun, Owner, Store, WorkflowKey};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), workflow_store::StoreError> {
/// let store = MemoryStore::new();
/// let owner = Owner::new("worker-1", Duration::from_secs(30));
/// let run = NewRun {
///     id: RunId::next(),
///     workflow: WorkflowKey::new("greet", "0123456789abcdef"),
///     start: b"start".to_vec(),
/// };
/// let claimed = store.create(run.clone(), &owner).await?;
/// let batch = Batch::new(claimed.run.journal_next).journal(b"hello".to_vec());
/// let committed = store.commit(&claimed.lease, batch).await?;
/// assert_eq!(committed.journal_next, 2);
/// let loaded = store.load(run.id).await?.expect("created");
/// assert_eq!(loaded.journal[0].bytes, b"hello");
/// # Ok(())
/// # }
/// ```
pub trait Store: Send + Sync + 'static {
    /// The store, for error messages: `"memory"`, `"sqlite:/path/runs.db"`.
    fn describe(&self) -> String;

    /// Records a new run and gives `owner` its lease (epoch 1). Fails with
    /// [`AlreadyExists`](StoreError::AlreadyExists) if the id is taken.
    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>>;

    /// Takes the lease of `run`, to recover or re-attach to it by id: raises
    /// its epoch (fencing off any earlier holder) and makes it
    /// [`Running`](crate::RunStatus::Running). The owner that holds the
    /// lease may claim again, which fences off its own older lease. Fails with
    /// [`LeaseHeld`](StoreError::LeaseHeld) while another owner holds a live
    /// lease, [`Finished`](StoreError::Finished) if the run ended.
    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>>;

    /// Takes the leases of up to `limit` ready runs of these workflows, in
    /// id order within each. A run is ready when it is unfinished, no lease
    /// of it is live (it expired or was released), and it is either
    /// running, or parked with unconsumed input or a due timer. No two
    /// calls get the same run while a lease is live.
    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>>;

    /// Applies `batch` to the lease's run, all or nothing, if the lease is
    /// current (owner and epoch match, not expired) and the batch's
    /// conditions hold (see [`Batch`]).
    ///
    /// A commit that fails with [`Backend`](StoreError::Backend) may or may
    /// not have landed. To reconcile, retry it unchanged: a
    /// [`Conflict`](StoreError::Conflict) on the journal then means it
    /// landed, so [`load`](Store::load) the run and go on from what it
    /// holds.
    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>>;

    /// Extends a current lease by its owner's lease duration from now.
    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>>;

    /// Reads a run without taking its lease: `None` if there is no such run.
    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>>;

    /// The run's stream records with sequence numbers above `after`, at
    /// most `limit`, in order.
    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StreamRecord>, StoreError>>;

    /// Appends an input event sent from outside (no lease needed) and
    /// returns its input sequence number; a parked run becomes ready.
    /// Fails with [`Finished`](StoreError::Finished) if the run ended,
    /// [`NotFound`](StoreError::NotFound) if there is no such run.
    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// The metadata of the runs `filter` admits, ordered by id.
    fn list<'a>(&'a self, filter: &'a RunFilter)
    -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>>;

    /// Hints that runs changed: see [`Notice`], a hint and never the only
    /// signal. The channel is bounded (1024 notices): a receiver that falls
    /// further behind gets `RecvError::Lagged` and must re-read.
    fn notices(&self) -> broadcast::Receiver<Notice>;
}
