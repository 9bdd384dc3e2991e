//! [`Server`]: the workflows to serve and how, and [`Bound`], a server
//! listening on its address.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use workflow_runtime::{Runner, Workflow};
use workflow_store::Store;

use crate::app::{App, Runs};
use crate::feed::HEARTBEAT;
use crate::served::{Entry, Served};
use crate::tracked::Table;

/// Makes a served workflow once the server knows whether it has a store.
type Registration = Box<dyn FnOnce(Option<&Durable>) -> Arc<dyn Served> + Send>;

/// Where a server with a store keeps its runs, and as which worker.
struct Durable {
    store: Arc<dyn Store>,
    worker: Option<String>,
    lease: Option<Duration>,
}

/// An HTTP server of workflows, speaking LlamaIndex's workflow server
/// protocol, so that its Python client (`llama-agents-client`) works
/// against it, with a debugger page at `/`.
///
/// ```no_run
/// use typed_workflows::prelude::*;
/// use workflow_server::Server;
///
/// struct Echo;
///
/// #[workflow_impl]
/// impl Echo {
///     #[step]
///     async fn echo(&self, start: StartEvent) -> Result<StopEvent<String>> {
///         Ok(StopEvent::new(start.get("text")?))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     Server::new().workflow("echo", Echo).serve("127.0.0.1:8000").await?;
///     Ok(())
/// }
/// ```
///
/// Without a store, runs live in the server's memory, and it keeps the
/// latest [`keep_finished`](Self::keep_finished) finished ones. With one
/// ([`store`](Self::store)), every run is durable: runs, their streams
/// and their pending input survive a restart of the server, which takes
/// up the runs it left when it starts again; and the server is one of
/// the store's workers ([`Runner::work`]), for as long as its process
/// lives: it takes up the runs that input or a due timer wakes, and
/// those of a server on the same store that died, once their leases
/// lapse.
pub struct Server {
    registrations: Vec<(String, Registration)>,
    store: Option<Durable>,
    token: Option<Arc<str>>,
    body_limit: usize,
    keep_finished: usize,
    heartbeat: Duration,
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// How many bytes a request body may have unless told otherwise: 1 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

    /// How many finished runs a server without a store keeps unless told
    /// otherwise.
    pub const DEFAULT_KEEP_FINISHED: usize = 10_000;

    /// A server of no workflows yet, with runs in memory, no token, and
    /// the default limits.
    pub fn new() -> Self {
        Self {
            registrations: Vec::new(),
            store: None,
            token: None,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            keep_finished: Self::DEFAULT_KEEP_FINISHED,
            heartbeat: HEARTBEAT,
        }
    }

    /// Serves `workflow` under `name`, with the default settings of a
    /// [`Runner`].
    pub fn workflow<W: Workflow>(self, name: impl Into<String>, workflow: W) -> Self {
        self.runner(name, workflow.runner())
    }

    /// Serves the workflow of `runner` under `name`, with its settings (a
    /// timeout, a limit of concurrent runs...). The server turns on its
    /// observer events ([`Runner::expose_internal`]), which streams carry
    /// when a reader asks for internal events, and makes it durable on the
    /// server's store, if it has one.
    pub fn runner<W: Workflow>(mut self, name: impl Into<String>, runner: Runner<W>) -> Self {
        let name = name.into();
        let served_name = name.clone();
        let register: Registration = Box::new(move |store| {
            let runner = runner.expose_internal(true);
            let runner = match store {
                Some(Durable {
                    store,
                    worker,
                    lease,
                }) => {
                    let mut runner = runner.durable(store.clone());
                    if let Some(worker) = worker {
                        runner = runner.worker(worker.clone());
                    }
                    match lease {
                        Some(lasting) => runner.lease(*lasting),
                        None => runner,
                    }
                }
                None => runner,
            };
            Arc::new(Entry::new(&served_name, runner))
        });
        self.registrations.push((name, register));
        self
    }

    /// Keeps every run in `store`, where runs, their event streams and
    /// their pending input survive the server; a server started again on
    /// the same store goes on with the runs it left.
    pub fn store(mut self, store: impl Store) -> Self {
        self.store = Some(Durable {
            store: Arc::new(store),
            worker: None,
            lease: None,
        });
        self
    }

    /// Names the worker this server's runs are leased to in its store: by
    /// default, the machine's host name (see
    /// [`Runner::worker`]). Servers that share a store (a Postgres
    /// database) each need a name of their own, or they take each other's
    /// runs as their own; a server started again under its name takes up
    /// its runs at once.
    ///
    /// # Panics
    ///
    /// If the server has no [`store`](Self::store) yet.
    pub fn worker(mut self, name: impl Into<String>) -> Self {
        let durable = self
            .store
            .as_mut()
            .expect("`worker` names the worker of a server with a store: call `store` first");
        durable.worker = Some(name.into());
        self
    }

    /// How long this server's leases of runs last (see
    /// [`Runner::lease`]): 60 s unless told otherwise. Once a lease lapses,
    /// another server on the same store takes the run up.
    ///
    /// # Panics
    ///
    /// If the server has no [`store`](Self::store) yet.
    pub fn lease(mut self, lasting: Duration) -> Self {
        let durable = self
            .store
            .as_mut()
            .expect("`lease` sets the leases of a server with a store: call `store` first");
        durable.lease = Some(lasting);
        self
    }

    /// Asks every request but `GET /health` and the debugger page for
    /// `Authorization: Bearer <token>`, answering 401 without it.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into().into());
        self
    }

    /// How many bytes a request body may have; a larger one gets 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How many finished runs a server without a store keeps, to answer
    /// for them; past that, the oldest are forgotten.
    pub fn keep_finished(mut self, runs: usize) -> Self {
        self.keep_finished = runs;
        self
    }

    /// How long an event stream may be idle before it gets a heartbeat, a
    /// comment line that keeps it open: 25 s unless told otherwise.
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.heartbeat = every;
        self
    }

    /// The routes, as an axum [`Router`] to serve or to nest in a larger
    /// application; a server with a store first goes on with the runs it
    /// left.
    ///
    /// # Errors
    ///
    /// [`ServeError::DuplicateName`] if two workflows share a name;
    /// [`ServeError::DuplicateType`] if, with a store, one workflow type is
    /// served under two names; [`ServeError::Recover`] if the store's runs
    /// could not be taken up.
    pub async fn into_router(self) -> Result<Router, ServeError> {
        let mut workflows: BTreeMap<Arc<str>, Arc<dyn Served>> = BTreeMap::new();
        let mut by_type: HashMap<&'static str, Arc<dyn Served>> = HashMap::new();
        for (name, register) in self.registrations {
            let served = register(self.store.as_ref());
            if workflows.contains_key(name.as_str()) {
                return Err(ServeError::DuplicateName { name });
            }
            if let Some(first) = by_type.insert(served.type_name(), served.clone())
                && self.store.is_some()
            {
                return Err(ServeError::DuplicateType {
                    workflow: served.type_name(),
                    names: [first.name().to_string(), name],
                });
            }
            workflows.insert(served.name().clone(), served);
        }
        let runs = match self.store {
            Some(Durable { store, .. }) => {
                for served in workflows.values() {
                    let taken_up = served
                        .recover()
                        .await
                        .map_err(|error| ServeError::Recover {
                            workflow: served.name().to_string(),
                            detail: format!("{error:?}"),
                        })?;
                    if taken_up > 0 {
                        tracing::info!(workflow = %served.name(), runs = taken_up, "took up stored runs");
                    }
                    // From now on, one of the store's workers: it takes up the
                    // runs that input or a due timer wakes, and those whose
                    // server died.
                    tokio::spawn(served.work());
                }
                Runs::Stored(store)
            }
            None => Runs::Memory(Arc::new(Table::new(self.keep_finished))),
        };
        let app = Arc::new(App {
            workflows,
            by_type,
            runs,
            heartbeat: self.heartbeat,
        });
        let mut router = crate::routes::router(app).layer(DefaultBodyLimit::max(self.body_limit));
        if let Some(token) = self.token {
            router = router.layer(axum::middleware::from_fn_with_state(
                token,
                crate::auth::require_token,
            ));
        }
        Ok(router.layer(axum::middleware::map_response(crate::error::as_detail)))
    }

    /// Listens on `addr` (`"127.0.0.1:8000"`; port 0 for one the system
    /// chooses), once the routes are ready (see
    /// [`into_router`](Self::into_router)).
    ///
    /// # Errors
    ///
    /// [`ServeError::Bind`] if the address cannot be listened on; the
    /// errors of [`into_router`](Self::into_router).
    pub async fn bind(self, addr: impl ToSocketAddrs) -> Result<Bound, ServeError> {
        let router = self.into_router().await?;
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        Ok(Bound { listener, router })
    }

    /// Serves on `addr` until the process ends (see [`bind`](Self::bind)).
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind), and [`ServeError::Serve`] if serving fails.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> Result<(), ServeError> {
        self.bind(addr).await?.run().await
    }
}

/// A server listening on its address, ready to serve.
#[derive(Debug)]
pub struct Bound {
    listener: TcpListener,
    router: Router,
}

impl Bound {
    /// The address it listens on: with port 0 asked for, the port chosen.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::local_addr`].
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    ///
    /// # Errors
    ///
    /// [`ServeError::Serve`] if accepting connections fails.
    pub async fn run(self) -> Result<(), ServeError> {
        axum::serve(no_delay(self.listener), self.router)
            .await
            .map_err(ServeError::Serve)
    }

    /// Serves until `shutdown` completes, then stops accepting
    /// connections and ends once the open requests have (an event stream
    /// ends with its run).
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        axum::serve(no_delay(self.listener), self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)
    }
}

/// `listener`, its connections sending each write at once: an event of a
/// stream, or a small answer, would otherwise wait for the client's
/// delayed acknowledgement of the one before (Nagle's algorithm), 40 ms on
/// Linux.
fn no_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(send_at_once)
}

/// Sets `stream` to send each write at once (see [`no_delay`]).
fn send_at_once(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "a connection could not be set to send at once");
    }
}

/// Why a [`Server`] could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Two workflows were given one name.
    #[error("two workflows are served as `{name}`: give each a name of its own")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// With a store, one workflow type was served under two names: the
    /// store knows runs by their workflow type, so it could not tell whose
    /// a run is.
    #[error(
        "workflow `{workflow}` is served as both `{}` and `{}`: over a store, serve each workflow type once",
        names[0], names[1]
    )]
    DuplicateType {
        /// The workflow type's name.
        workflow: &'static str,
        /// The two names.
        names: [String; 2],
    },
    /// The runs a store holds could not be taken up.
    #[error("the stored runs of `{workflow}` could not be taken up: {detail}")]
    Recover {
        /// The workflow's served name.
        workflow: String,
        /// Why.
        detail: String,
    },
    /// The address could not be listened on.
    #[error("cannot listen: {0}")]
    Bind(#[source] std::io::Error),
    /// Serving failed.
    #[error("serving failed: {0}")]
    Serve(#[source] std::io::Error),
}
