//! [`PostgresStore`]: runs in a PostgreSQL database that many worker
//! processes share.

mod fault;
mod listen;
mod pipeline;
mod rows;
mod schema;
mod writes;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::sync::broadcast;
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};
use workflow_model::RunId;

use self::fault::Fault;
use self::listen::Listener;
use self::schema::Sql;
use crate::batch::{Batch, Committed};
use crate::clock::{Clock, SystemClock};
use crate::error::StoreError;
use crate::lease::{Lease, Owner};
use crate::notice::{self, Notice};
use crate::run::{Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, WorkflowKey};
use crate::store::{BoxFuture, Store};

/// How [`PostgresStore::connect_with`] connects.
///
/// ```
/// use workflow_store::{ManualClock, PostgresOptions};
///
/// let clock = ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
/// let options = PostgresOptions::new().clock(clock).schema("tenant_7").pool_size(8);
/// assert_eq!(options.schema, "tenant_7");
/// ```
pub struct PostgresOptions {
    /// The clock leases and timers follow: the system's by default. The
    /// stores that share a database must agree on the time, as the leases
    /// they take are measured by it.
    pub clock: Arc<dyn Clock>,
    /// The schema the store's tables live in, created if missing:
    /// `workflow_store` by default. Lowercase ASCII letters, digits and
    /// `_`, at most 48 bytes.
    pub schema: String,
    /// How many connections the store keeps open for its operations: 16 by
    /// default. One more listens for notices.
    pub pool_size: usize,
}

impl PostgresOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            schema: "workflow_store".to_owned(),
            pool_size: 16,
        }
    }

    /// Leases and timers follow `clock`.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The tables live in schema `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// At most `size` connections for the store's operations.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// A store in a PostgreSQL database, which worker processes share: each
/// connects with a store of its own, and the leases, fencing epochs and
/// conditional commits keep them from writing over each other.
///
/// Every write is one transaction that first locks the run's row
/// (`SELECT ... FOR UPDATE`) and checks the store's rules against it (the
/// lease's owner, epoch and expiry by the store's clock, the journal's and
/// stream's next numbers), so a worker whose lease was taken over cannot
/// write. [`claim_ready`](Store::claim_ready) locks ready runs with
/// `FOR UPDATE SKIP LOCKED`, so workers claiming at once take different
/// runs without waiting on each other. Each write that changes a run sends
/// a notification (`NOTIFY`) once it committed; every store listens, so
/// [`notices`](Store::notices) hint at other processes' changes too.
///
/// The schema is created and migrated on connect, in one transaction under
/// an advisory lock, so processes may connect at once. Connections are
/// without TLS: use a local server, or a network you trust.
///
/// ```no_run
/// use std::time::Duration;
/// use workflow_model::RunId;
/// use workflow_store::{NewRun, Owner, PostgresStore, Store, WorkflowKey};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), workflow_store::StoreError> {
/// let store = PostgresStore::connect("postgres://workflows:secret@localhost/workflows").await?;
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
pub struct PostgresStore {
    store: String,
    pool: Pool,
    sql: Sql,
    clock: Arc<dyn Clock>,
    notices: broadcast::Sender<Notice>,
    /// Hears other stores' notifications, and sends this one's.
    listener: Listener,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`
    /// or `host=... user=...`), in schema `workflow_store`, on the system
    /// clock.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PostgresOptions::new()).await
    }

    /// Connects to the database at `url`, with leases and timers on `clock`.
    pub async fn with_clock(url: &str, clock: impl Clock) -> Result<Self, StoreError> {
        Self::connect_with(url, PostgresOptions::new().clock(clock)).await
    }

    /// Connects to the database at `url`, with the tables in schema
    /// `schema`: stores in different schemas share nothing.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PostgresOptions::new().schema(schema)).await
    }

    /// Connects to the database at `url` with `options`, creating and
    /// migrating the schema as needed. Fails with
    /// [`Backend`](StoreError::Backend) if the server cannot be reached,
    /// refuses the login, or holds a schema newer than this crate's.
    pub async fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let (config, store) = match url.parse::<Config>() {
            Ok(mut config) => {
                if config.get_connect_timeout().is_none() {
                    config.connect_timeout(Duration::from_secs(10));
                }
                config.application_name("workflow-store");
                let store = describe(&config, &options.schema);
                (config, store)
            }
            Err(error) => {
                return Err(Fault::Sql(error).at(
                    "postgres",
                    "parse the connection URL (postgres://user:password@host/db)",
                ));
            }
        };
        let connect = "connect";
        schema::check_name(&options.schema)
            .map_err(|why| Fault::Unsupported(why).at(&store, connect))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|error| Fault::Unsupported(error.to_string()).at(&store, connect))?;
        let mut client = pool
            .get()
            .await
            .map_err(|error| Fault::from(error).at(&store, connect))?;
        schema::migrate(&mut client, &options.schema)
            .await
            .map_err(|fault| fault.at(&store, "migrate the schema"))?;
        drop(client);
        let channel = format!("workflow_store_{}", options.schema);
        let notices = broadcast::channel(notice::CAPACITY).0;
        // This store's name in its notifications, so that its listener
        // skips what it announced itself.
        let instance = RunId::next().to_string();
        let listener = Listener::start(config, channel, instance, notices.clone())
            .await
            .map_err(|error| Fault::from(error).at(&store, "listen for notices"))?;
        Ok(Self {
            sql: Sql::new(&options.schema),
            store,
            pool,
            clock: options.clock,
            notices,
            listener,
        })
    }

    /// Runs `operation` (named by `name` in its error), then sends the
    /// notices it returns.
    async fn write<T>(
        &self,
        name: impl FnOnce() -> String,
        operation: impl Future<Output = Result<(T, Vec<Notice>), Fault>>,
    ) -> Result<T, StoreError> {
        let (value, notices) = operation
            .await
            .map_err(|fault| fault.at(&self.store, &name()))?;
        notice::announce(&self.notices, notices);
        Ok(value)
    }
}

/// `postgres:host:port/db/schema`: the store in error messages, without
/// the password.
fn describe(config: &Config, schema: &str) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgres:{host}:{port}/{db}/{schema}")
}

impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.store.clone()
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        let name = format!("create run {}", run.id);
        let owner = owner.clone();
        Box::pin(async move { self.write(|| name, self.create_run(run, &owner)).await })
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        let owner = owner.clone();
        Box::pin(async move {
            self.write(|| format!("claim run {run}"), self.claim_run(run, &owner))
                .await
        })
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        Box::pin(self.write(
            || format!("claim ready runs for `{}`", owner.id),
            self.claim_ready_runs(owner, workflows, limit),
        ))
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        let name = format!(
            "commit to run {} at journal record {}",
            lease.run, batch.journal_next
        );
        Box::pin(self.write(|| name, self.commit_batch(lease, batch)))
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        Box::pin(self.write(
            || format!("renew the lease of run {}", lease.run),
            self.renew_lease(lease),
        ))
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        Box::pin(async move {
            self.load_run(run)
                .await
                .map_err(|fault| fault.at(&self.store, &format!("load run {run}")))
        })
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        Box::pin(async move {
            self.read_stream_of(run, after, limit)
                .await
                .map_err(|fault| {
                    fault.at(
                        &self.store,
                        &format!("read the stream of run {run} after record {after}"),
                    )
                })
        })
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(async move {
            self.write(
                || format!("send input to run {run}"),
                self.append_input(run, &input),
            )
            .await
        })
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        Box::pin(async move {
            self.list_runs(filter)
                .await
                .map_err(|fault| fault.at(&self.store, "list runs"))
        })
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }
}
