//! Serves the example workflows over HTTP, as LlamaIndex's workflow server
//! does: its Python client (`llama-agents-client`) works against it, and
//! the debugger page is at the address printed.
//!
//! ```sh
//! cargo run --example serve                        # runs in memory, on 127.0.0.1:8000
//! cargo run --example serve -- --store runs.db     # durable runs, in one SQLite file
//! cargo run --example serve -- --store postgres://user:pass@host/db   # shared by servers
//! cargo run --example serve -- --addr 127.0.0.1:0 --token secret
//! ```

mod workflows;

use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::server::Server;
use typed_workflows::store::{PostgresOptions, PostgresStore, SqliteStore};

use workflows::{Hitl, StreamN, Survey, TwoStep};

/// What the command line asked for.
struct Options {
    addr: String,
    /// A SQLite file, or a PostgreSQL URL.
    store: Option<String>,
    /// The PostgreSQL schema the store's tables are in.
    schema: Option<String>,
    /// The worker the runs are leased to: one per server sharing a store.
    worker: Option<String>,
    token: Option<String>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        addr: "127.0.0.1:8000".into(),
        store: None,
        schema: None,
        worker: None,
        token: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| typed_workflows::anyhow::anyhow!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--addr" => options.addr = value()?,
            "--store" => options.store = Some(value()?),
            "--schema" => options.schema = Some(value()?),
            "--worker" => options.worker = Some(value()?),
            "--token" => options.token = Some(value()?),
            other => typed_workflows::anyhow::bail!(
                "unknown option {other}; the options are --addr, --store, --schema, --worker, --token"
            ),
        }
    }
    Ok(options)
}

#[tokio::main]
pub async fn main() -> Result<()> {
    let options = options()?;
    let human = Duration::from_secs(3600);
    let mut server = Server::new()
        .workflow("two_step", TwoStep)
        .workflow("stream_n", StreamN)
        .runner("hitl", Hitl.runner().timeout(human))
        .runner("survey", Survey.runner().timeout(human));
    match options.store.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let mut postgres = PostgresOptions::new();
            if let Some(schema) = options.schema {
                postgres = postgres.schema(schema);
            }
            server = server.store(PostgresStore::connect_with(url, postgres).await?);
        }
        Some(path) => server = server.store(SqliteStore::open(path)?),
        None => {}
    }
    if let Some(worker) = options.worker {
        server = server.worker(worker);
    }
    if let Some(token) = options.token {
        server = server.bearer_token(token);
    }
    let bound = server.bind(&options.addr).await?;
    println!("listening on http://{}", bound.local_addr()?);
    bound.run().await?;
    Ok(())
}
