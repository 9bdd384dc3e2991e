//! [`SqliteStore`]: runs in one SQLite file, with group commit.

mod fault;
mod key;
mod reader;
mod reads;
mod records;
mod runs;
mod schema;
mod sum;
mod time;
mod writer;
mod writes;

use std::path::Path;
use std::sync::Arc;

use tokio::sync::broadcast;
use workflow_model::RunId;

use self::fault::RowError;
use self::reader::Reader;
use self::writer::{Config, Writer};
use crate::batch::{Batch, Committed};
use crate::clock::{Clock, SystemClock};
use crate::error::StoreError;
use crate::lease::{Lease, Owner};
use crate::notice::{self, Notice};
use crate::run::{Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, WorkflowKey};
use crate::store::{BoxFuture, Store};

/// How [`SqliteStore::open_with`] opens a store.
///
/// ```
/// use workflow_store::{ManualClock, SqliteOptions};
///
/// let clock = ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
/// let options = SqliteOptions::new().clock(clock).group_limit(64).queue(512);
/// assert_eq!(options.queue, 512);
/// ```
pub struct SqliteOptions {
    /// The clock leases and timers follow: the system's by default.
    pub clock: Arc<dyn Clock>,
    /// The most writes one transaction (one fsync) takes: 256 by default.
    pub group_limit: usize,
    /// How many writes may wait for the writer thread before callers of
    /// the writing operations wait to hand theirs over: 1024 by default.
    /// This bound keeps memory bounded when callers write faster than the
    /// disk syncs.
    pub queue: usize,
    /// Checkpoint the WAL into the file once it holds this many pages
    /// (SQLite's `wal_autocheckpoint`): 1000 by default; 0 never does,
    /// which tests use to keep transactions in the WAL.
    pub wal_autocheckpoint: u32,
}

impl SqliteOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            group_limit: 256,
            queue: 1024,
            wal_autocheckpoint: 1000,
        }
    }

    /// Leases and timers follow `clock`.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// At most `limit` writes per transaction.
    pub fn group_limit(mut self, limit: usize) -> Self {
        self.group_limit = limit.max(1);
        self
    }

    /// At most `queue` writes waiting for the writer thread.
    pub fn queue(mut self, queue: usize) -> Self {
        self.queue = queue.max(1);
        self
    }

    /// Checkpoints the WAL every `pages` pages; 0 never.
    pub fn wal_autocheckpoint(mut self, pages: u32) -> Self {
        self.wal_autocheckpoint = pages;
        self
    }
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// A store in one SQLite file (WAL mode, every commit synced), for one
/// process.
///
/// Writes go to one writer thread, which commits every write waiting in
/// one transaction: one fsync for the group, so throughput grows with the
/// number of concurrent writers rather than stopping at one fsync per
/// step. The queue to the writer is bounded ([`SqliteOptions::queue`]):
/// when it is full, writers wait to hand their writes over. Reads run on
/// their own connection on tokio's blocking threads.
/// Every record carries a checksum verified on read, and opening runs
/// `PRAGMA quick_check`: a damaged file gives
/// [`Corrupt`](StoreError::Corrupt) naming it, never wrong data.
///
/// ```
/// use std::time::Duration;
/// use workflow_model::RunId;
/// use workflow_store::{NewRun, Owner, SqliteStore, Store, WorkflowKey};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), workflow_store::StoreError> {
/// let dir = tempfile::tempdir().expect("a temporary directory");
/// let store = SqliteStore::open(dir.path().join("runs.db"))?;
/// let run = NewRun {
///     id: RunId::next(),
///     workflow: WorkflowKey::new("greet", "0123456789abcdef"),
///     start: b"start".to_vec(),
/// };
/// store.create(run.clone(), &Owner::new("worker-1", Duration::from_secs(30))).await?;
/// assert_eq!(store.load(run.id).await?.expect("stored").start, b"start");
/// # Ok(())
/// # }
/// ```
pub struct SqliteStore {
    store: String,
    // Dropped first: the writer finishes the writes sent before the
    // reader's connection closes.
    writer: Writer,
    reader: Reader,
    notices: broadcast::Sender<Notice>,
}

impl SqliteStore {
    /// Opens (or creates) the store in the file at `path`, with the
    /// default options. Blocks while it checks and migrates the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, SqliteOptions::new())
    }

    /// Opens (or creates) the store in the file at `path` with `options`.
    /// Blocks while it checks and migrates the file.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let store = format!("sqlite:{}", path.display());
        let at = |error: RowError| error.at(&store, "open");
        let write = schema::open_writer(path, options.wal_autocheckpoint).map_err(at)?;
        let read = schema::open_reader(path).map_err(at)?;
        let notices = broadcast::channel(notice::CAPACITY).0;
        let config = Config {
            store: store.clone(),
            clock: options.clock,
            notices: notices.clone(),
            group_limit: options.group_limit,
            queue: options.queue,
        };
        let writer = Writer::start(write, config).map_err(|error| StoreError::Backend {
            store: store.clone(),
            operation: "start the writer thread".to_owned(),
            source: Box::new(error),
        })?;
        Ok(Self {
            reader: Reader::new(read, store.clone()),
            store,
            writer,
            notices,
        })
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.store.clone()
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        let owner = owner.clone();
        Box::pin(
            self.writer
                .run(move |conn, env| writes::create(conn, env, run, &owner)),
        )
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        let owner = owner.clone();
        Box::pin(
            self.writer
                .run(move |conn, env| writes::claim(conn, env, run, &owner)),
        )
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        let (owner, workflows) = (owner.clone(), workflows.to_vec());
        Box::pin(
            self.writer
                .run(move |conn, env| writes::claim_ready(conn, env, &owner, &workflows, limit)),
        )
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        let lease = lease.clone();
        Box::pin(
            self.writer
                .run(move |conn, env| writes::commit(conn, env, &lease, batch)),
        )
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        let lease = lease.clone();
        Box::pin(
            self.writer
                .run(move |conn, env| writes::renew(conn, env, &lease)),
        )
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        Box::pin(self.reader.run(
            move || format!("load run {run}"),
            move |conn| reads::load(conn, run),
        ))
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        Box::pin(async move {
            let operation = move || format!("read the stream of run {run} after record {after}");
            let records = self.reader.run(operation, move |conn| {
                reads::read_stream(conn, run, after, limit)
            });
            records.await?.ok_or_else(|| StoreError::NotFound {
                store: self.store.clone(),
                run,
            })
        })
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(
            self.writer
                .run(move |conn, env| writes::send_input(conn, env, run, &input)),
        )
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        let filter = filter.clone();
        Box::pin(self.reader.run(
            || "list runs".to_owned(),
            move |conn| reads::list(conn, &filter),
        ))
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }
}
