//! Serves the example workflows over HTTP, as LlamaIndex's workflow server
//! does: its Python client (`llama-agents-client`) works against it, and
//! the debugger page is at the address printed.
//!
//! ```sh
//! cargo run --example serve                        # runs in memory, on 127.0.0.1:8000
//! cargo run --example serve -- --store runs.db     # durable runs, in one SQLite file
//! cargo run --example serve -- --addr 127.0.0.1:0 --token secret
//! ```

mod workflows;

use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::server::Server;
use typed_workflows::store::SqliteStore;

use workflows::{Hitl, StreamN, Survey, TwoStep};

/// What the command line asked for.
struct Options {
    addr: String,
    store: Option<String>,
    token: Option<String>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        addr: "127.0.0.1:8000".into(),
        store: None,
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
            "--token" => options.token = Some(value()?),
            other => typed_workflows::anyhow::bail!(
                "unknown option {other}; the options are --addr, --store, --token"
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
    if let Some(path) = &options.store {
        server = server.store(SqliteStore::open(path)?);
    }
    if let Some(token) = options.token {
        server = server.bearer_token(token);
    }
    let bound = server.bind(&options.addr).await?;
    println!("listening on http://{}", bound.local_addr()?);
    bound.run().await?;
    Ok(())
}
