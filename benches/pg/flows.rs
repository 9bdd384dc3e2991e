//! The workflows the Postgres benchmarks run, and a store that counts
//! what a run asks of the store beneath it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::broadcast;
use typed_workflows::RunId;
use typed_workflows::prelude::*;
use typed_workflows::store::{
    Batch, BoxFuture, Claimed, Committed, Lease, Loaded, NewRun, Notice, Owner, Record, RunFilter,
    RunMeta, Store, StoreError, WorkflowKey,
};

#[path = "../shared/three_steps.rs"]
mod three_steps;

pub use three_steps::{Ask, STEPS, ThreeSteps};

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
pub struct Greet {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
pub struct Greeted {
    text: String,
}

/// Two steps in a line, the workflow of the DBOS peer
/// (benches/peer/dbos_peer.py): a greeting, then its upper case.
pub struct TwoSteps;

workflow! {
    impl TwoSteps {
        #[step]
        async fn greet(&self, greet: Greet) -> Greeted {
            Greeted { text: format!("hello, {}", greet.name) }
        }

        #[step]
        async fn shout(&self, greeted: Greeted) -> StopEvent<String> {
            StopEvent::new(greeted.text.to_uppercase())
        }
    }
}

/// What a store was asked, by operation.
#[derive(Default)]
pub struct Counts {
    pub create: AtomicU64,
    pub commit: AtomicU64,
    pub claim: AtomicU64,
    pub renew: AtomicU64,
    pub reads: AtomicU64,
    /// The time spent in creates and commits, in nanoseconds.
    pub create_nanos: Arc<AtomicU64>,
    pub commit_nanos: Arc<AtomicU64>,
}

impl Counts {
    /// The mean time of a create and of a commit, in ms.
    pub fn times(&self) -> String {
        let mean = |nanos: &AtomicU64, n: &AtomicU64| {
            nanos.load(Ordering::Relaxed) as f64 / n.load(Ordering::Relaxed).max(1) as f64 / 1e6
        };
        format!(
            "create {:.2} ms, commit {:.2} ms",
            mean(&self.create_nanos, &self.create),
            mean(&self.commit_nanos, &self.commit)
        )
    }

    /// `create c, commit n, ...` per run, over `runs` runs.
    pub fn per_run(&self, runs: u64) -> String {
        let per = |n: &AtomicU64| n.load(Ordering::Relaxed) as f64 / runs as f64;
        format!(
            "create {:.1}, commit {:.1}, claim {:.1}, renew {:.1}, reads {:.1}",
            per(&self.create),
            per(&self.commit),
            per(&self.claim),
            per(&self.renew),
            per(&self.reads)
        )
    }
}

/// `S`, counting what it is asked.
pub struct Counting<S> {
    pub inner: S,
    pub counts: Arc<Counts>,
}

/// `future`, its time added to `nanos`.
fn timed<'a, T: Send + 'a>(nanos: Arc<AtomicU64>, future: BoxFuture<'a, T>) -> BoxFuture<'a, T> {
    Box::pin(async move {
        let began = std::time::Instant::now();
        let value = future.await;
        nanos.fetch_add(began.elapsed().as_nanos() as u64, Ordering::Relaxed);
        value
    })
}

fn add(n: &AtomicU64) {
    n.fetch_add(1, Ordering::Relaxed);
}

impl<S: Store> Store for Counting<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        add(&self.counts.create);
        timed(
            self.counts.create_nanos.clone(),
            self.inner.create(run, owner),
        )
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        add(&self.counts.claim);
        self.inner.claim(run, owner)
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        add(&self.counts.claim);
        self.inner.claim_ready(owner, workflows, limit)
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        add(&self.counts.commit);
        timed(
            self.counts.commit_nanos.clone(),
            self.inner.commit(lease, batch),
        )
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        add(&self.counts.renew);
        let renew = self.inner.renew(lease);
        Box::pin(async move {
            let renewed = renew.await;
            if let Err(error) = &renewed {
                eprintln!("a renewal failed: {error}");
            }
            renewed
        })
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        add(&self.counts.reads);
        self.inner.load(run)
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        add(&self.counts.reads);
        self.inner.read_stream(run, after, limit)
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        self.inner.send_input(run, input)
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        add(&self.counts.reads);
        self.inner.list(filter)
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        self.inner.notices()
    }
}
