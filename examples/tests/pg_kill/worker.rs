//! The worker of the PostgreSQL kill tests (`tests/pg_kill.rs`): one of
//! the processes that share a [`PostgresStore`], which the tests kill,
//! pause and start again.
//!
//! `pg-kill-worker URL SCHEMA LOG NAME LEASE_MS MODE [ARG]`, leases of
//! `LEASE_MS` milliseconds taken as worker `NAME`, side effects appended to
//! `LOG` (and printed) tagged `NAME/PID`:
//!
//! - `errands`: works on the errands of the store (`tests/kill/errand.rs`)
//!   until its standard input closes, then hands back what it holds.
//! - `hold GATE`: starts one run of `Hold` here, prints `started ID`
//!   once it is in the store, and `outcome: ...` once it ends.
//! - `holds`: works on the runs of `Hold` of the store, as `errands`.
//!
//! [`Runner::work`] works on through store errors (the server restarted,
//! say); should it return one, the worker prints it to standard error and
//! works on after a pause.

#[path = "../kill/errand.rs"]
mod errand;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use typed_workflows::anyhow;
use typed_workflows::prelude::*;
use typed_workflows::store::PostgresStore;

use errand::{Errand, Log};

/// How long a worker told to stop waits for its runs to park or end.
const GRACE: Duration = Duration::from_secs(1);

/// How long a worker waits after a store error before it works on.
const BACKOFF: Duration = Duration::from_millis(200);

/// How long a worker keeps trying to connect to a server that is down.
const CONNECT_FOR: Duration = Duration::from_secs(60);

/// A run that holds its one step until the file it names exists, with the
/// worker's name for its extension (`GATE.NAME`), then writes who finished
/// it to the stream and stops with that name.
struct Hold {
    name: String,
    log: Log,
}

/// Who held the run to its end.
#[event]
pub struct Held {
    by: String,
}

#[workflow_impl]
impl Hold {
    #[step(writes(Held))]
    async fn hold(&self, ctx: &Context<Self>, start: StartEvent) -> Result<StopEvent<String>> {
        let gate: PathBuf = start.get("gate")?;
        let gate = gate.with_extension(&self.name);
        self.log.note("E 0 hold");
        // The test makes the gate once it has seen where the step is.
        while !gate.exists() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.log.note("A 0");
        ctx.write_event_to_stream(Held {
            by: self.name.clone(),
        });
        Ok(StopEvent::new(self.name.clone()))
    }
}

/// Connects to the store, trying again while the server is down.
async fn connect(url: &str, schema: &str) -> Result<PostgresStore> {
    let until = Instant::now() + CONNECT_FOR;
    loop {
        match PostgresStore::connect_in_schema(url, schema).await {
            Ok(store) => return Ok(store),
            Err(error) if Instant::now() < until => {
                eprintln!("connect failed, trying again: {error}");
                tokio::time::sleep(BACKOFF).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// `runner` with no run timeout, on `store`, as worker `name`, with
/// leases lasting `lease`.
fn leased<W: Workflow>(
    runner: Runner<W>,
    store: Arc<PostgresStore>,
    (name, lease): (&str, Duration),
) -> Runner<W> {
    runner
        .without_timeout()
        .durable(store)
        .worker(name)
        .lease(lease)
}

/// Makes `runner` one of the store's workers until `stop` turns true,
/// working on after each error.
async fn work<W: Workflow>(runner: Runner<W>, name: &str, stop: watch::Receiver<bool>) {
    loop {
        let mut stop = stop.clone();
        let stopped = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        match runner.work(stopped, GRACE).await {
            Ok(worked) => {
                eprintln!("worker {name} stopped: {worked:?}");
                return;
            }
            Err(error) => {
                eprintln!("worker {name}: work failed, working on: {error}");
                tokio::time::sleep(BACKOFF).await;
            }
        }
    }
}

/// Turns true once standard input closes: the test's word to stop.
fn stop_on_end_of_input() -> watch::Receiver<bool> {
    let (stop, stopped) = watch::channel(false);
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        let _ = stop.send(true);
    });
    stopped
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, schema, log, name, lease, mode, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: pg-kill-worker URL SCHEMA LOG NAME LEASE_MS MODE [ARG]");
    };
    let worker = (name.as_str(), Duration::from_millis(lease.parse()?));
    let store = Arc::new(connect(url, schema).await?);
    let log = Log::open(
        Path::new(log),
        format!("{name}/{}", std::process::id()),
        true,
    )?;
    match (mode.as_str(), rest) {
        ("errands", []) => {
            let runner = leased(Errand { log }.runner(), store, worker);
            work(runner, name, stop_on_end_of_input()).await;
        }
        ("hold", [gate]) => {
            let hold = Hold {
                name: name.clone(),
                log,
            };
            let runner = leased(hold.runner(), store, worker);
            let handler = runner.run(StartEvent::new().with("gate", gate));
            runner.until_stored(handler.run_id()).await?;
            println!("started {}", handler.run_id());
            match handler.await {
                Ok(by) => println!("outcome: stopped by {by}"),
                Err(error) => {
                    let mut causes = String::new();
                    let mut cause = std::error::Error::source(&error);
                    while let Some(next) = cause {
                        causes.push_str(&format!(": {next}"));
                        cause = next.source();
                    }
                    println!("outcome: failed: {error}{causes}");
                }
            }
        }
        ("holds", []) => {
            let hold = Hold {
                name: name.clone(),
                log,
            };
            let runner = leased(hold.runner(), store, worker);
            work(runner, name, stop_on_end_of_input()).await;
        }
        _ => anyhow::bail!("no mode `{mode}` with {rest:?}"),
    }
    Ok(())
}
