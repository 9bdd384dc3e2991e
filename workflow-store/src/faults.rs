//! [`Faulty`]: a store that fails chosen operations, to test how callers
//! handle a store that fails.
//!
//! A commit can fail two ways. [`Fault::CommitBefore`] fails it before it
//! reaches the store: nothing is written. [`Fault::CommitAfter`] lets it
//! land and then fails it, as an fsync error or a lost connection does:
//! the caller cannot tell whether it landed. The reconcile rule for such
//! a [`Backend`](StoreError::Backend) error: retry the same batch; if it
//! conflicts on the journal at the sequence number it expected, the first
//! attempt landed, so load the run and go on from what it holds.
//!
//! ```
//! use workflow_store::MemoryStore;
//! use workflow_store::faults::{Fault, Faulty};
//!
//! let store = Faulty::new(MemoryStore::new());
//! store.fail(Fault::CommitAfter(1)); // the first commit lands, then fails
//! ```

use std::fmt;
use std::sync::{Mutex, PoisonError};

use tokio::sync::broadcast;
use workflow_model::RunId;

use crate::batch::{Batch, Committed};
use crate::error::StoreError;
use crate::lease::{Lease, Owner};
use crate::notice::Notice;
use crate::run::{Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, WorkflowKey};
use crate::store::{BoxFuture, Store};

/// A planned failure: which call of an operation fails, counting calls
/// from 1 since the [`Faulty`] was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The nth commit fails before it reaches the store: nothing written.
    CommitBefore(u64),
    /// The nth commit lands in the store, then fails: written, but the
    /// caller gets an error.
    CommitAfter(u64),
    /// The nth load fails.
    Load(u64),
    /// The nth stream read fails.
    ReadStream(u64),
    /// The nth [`claim_ready`](Store::claim_ready) fails.
    ClaimReady(u64),
}

/// The error a planned [`Fault`] gives, as the source of a
/// [`Backend`](StoreError::Backend) error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injected(pub Fault);

impl fmt::Display for Injected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "injected fault {:?}", self.0)
    }
}

impl std::error::Error for Injected {}

/// How many calls of each operation were made, and the faults planned.
#[derive(Default)]
struct Plan {
    faults: Vec<Fault>,
    commits: u64,
    loads: u64,
    reads: u64,
    claims: u64,
}

impl Plan {
    /// Counts a call and takes the fault planned for it, if any.
    fn strike(
        &mut self,
        call: fn(&mut Self) -> &mut u64,
        matches: impl Fn(Fault, u64) -> bool,
    ) -> Option<Fault> {
        let counter = call(self);
        *counter += 1;
        let nth = *counter;
        let index = self.faults.iter().position(|fault| matches(*fault, nth))?;
        Some(self.faults.remove(index))
    }
}

/// Wraps a store and fails the operations planned with [`fail`](Faulty::fail).
pub struct Faulty<S> {
    inner: S,
    plan: Mutex<Plan>,
}

impl<S: Store> Faulty<S> {
    /// `inner`, with no fault planned yet.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            plan: Mutex::new(Plan::default()),
        }
    }

    /// Plans `fault`.
    pub fn fail(&self, fault: Fault) {
        self.plan().faults.push(fault);
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn injected(&self, operation: String, fault: Fault) -> StoreError {
        StoreError::Backend {
            store: self.describe(),
            operation,
            source: Box::new(Injected(fault)),
        }
    }
}

impl<S: Store> Store for Faulty<S> {
    fn describe(&self) -> String {
        format!("faulty:{}", self.inner.describe())
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        self.inner.create(run, owner)
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        self.inner.claim(run, owner)
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        match self.plan().strike(
            |plan| &mut plan.claims,
            |fault, nth| fault == Fault::ClaimReady(nth),
        ) {
            Some(fault) => Box::pin(std::future::ready(Err(
                self.injected(format!("claim ready runs for {}", owner.id), fault)
            ))),
            None => self.inner.claim_ready(owner, workflows, limit),
        }
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        let operation = format!(
            "commit to run {} at journal record {}",
            lease.run, batch.journal_next
        );
        let fault = self.plan().strike(
            |plan| &mut plan.commits,
            |fault, nth| matches!(fault, Fault::CommitBefore(n) | Fault::CommitAfter(n) if n == nth),
        );
        Box::pin(async move {
            match fault {
                Some(before @ Fault::CommitBefore(_)) => Err(self.injected(operation, before)),
                Some(after) => {
                    self.inner.commit(lease, batch).await?;
                    Err(self.injected(operation, after))
                }
                None => self.inner.commit(lease, batch).await,
            }
        })
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        self.inner.renew(lease)
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        match self.plan().strike(
            |plan| &mut plan.loads,
            |fault, nth| fault == Fault::Load(nth),
        ) {
            Some(fault) => Box::pin(std::future::ready(Err(
                self.injected(format!("load run {run}"), fault)
            ))),
            None => self.inner.load(run),
        }
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        match self.plan().strike(
            |plan| &mut plan.reads,
            |fault, nth| fault == Fault::ReadStream(nth),
        ) {
            Some(fault) => {
                let operation = format!("read the stream of run {run} after record {after}");
                Box::pin(std::future::ready(Err(self.injected(operation, fault))))
            }
            None => self.inner.read_stream(run, after, limit),
        }
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.inner.send_input(run, input)
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        self.inner.list(filter)
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        self.inner.notices()
    }
}
