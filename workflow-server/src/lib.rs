//! An HTTP server of typed workflows that speaks
//! [LlamaIndex's workflow server](https://pypi.org/project/llama-agents-server/)
//! protocol: its Python client, `llama-agents-client`, lists, starts,
//! streams, answers and cancels runs of Rust workflows as it does those of
//! Python ones. A debugger page at `/` shows the workflows' graphs and
//! follows their runs live.
//!
//! ```no_run
//! use typed_workflows::prelude::*;
//! use workflow_server::Server;
//!
//! #[event]
//! struct Mid {
//!     x: i64,
//! }
//!
//! struct TwoStep;
//!
//! #[workflow_impl]
//! impl TwoStep {
//!     #[step]
//!     async fn first(&self, start: StartEvent) -> Result<Mid> {
//!         Ok(Mid { x: start.get::<i64>("x")? + 1 })
//!     }
//!
//!     #[step]
//!     async fn second(&self, mid: Mid) -> StopEvent<serde_json::Value> {
//!         StopEvent::new(serde_json::json!({ "x": mid.x }))
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<()> {
//!     Server::new().workflow("two_step", TwoStep).serve("127.0.0.1:8000").await?;
//!     Ok(())
//! }
//! ```
//!
//! # The routes
//!
//! | route | what |
//! |---|---|
//! | `GET /health` | `{"status": "healthy"}` |
//! | `GET /workflows` | the names served |
//! | `GET /workflows/{name}` | its type, the fingerprint its snapshots carry, its steps and input events, and whether its runs are durable |
//! | `POST /workflows/{name}/run` | runs to the end: the handler record, with the stop event as `result` |
//! | `POST /workflows/{name}/run-nowait` | starts a run: its handler record |
//! | `GET /workflows/{name}/schema`, `/events` | JSON Schemas of the start and stop events, and of every event |
//! | `GET /workflows/{name}/representation` | the graph, from the compile-time step table |
//! | `GET /workflows/{name}/graph` | the drawn graph as SVG, and each node's id in it |
//! | `GET /handlers` | the runs, by `status` and `workflow_name` |
//! | `GET /handlers/{id}`, `GET /results/{id}` | a run's record: 202 while it runs, 200 once completed, 500 if it failed or was cancelled |
//! | `POST /handlers/{id}/cancel` | cancels a run (`purge=true` forgets it too) |
//! | `GET /handlers/{id}/snapshot` | the run written down, to resume with a run request's `context` |
//! | `POST /events/{id}` | sends an input event: `{"event": {"type": "HumanResponseEvent", "value": {...}}, "step": "..."}` |
//! | `GET /events/{id}` | the run's events: SSE with `id:` its sequence number (`after_sequence`, `Last-Event-ID` to resume), NDJSON with `sse=false`, internal events with `include_internal=true`; 204 once it has ended and all is read |
//! | `GET /openapi.json` | the OpenAPI document of all of it |
//!
//! Errors are `{"detail": "..."}`: 400 for a body that is not what the
//! route takes (saying what is wrong), 401 without the token when one is
//! set, 404 for an unknown workflow or run, 409 for a run that has ended,
//! 413 for a body over the limit, 422 for an event the run does not take.

mod app;
mod auth;
mod describe;
mod error;
mod feed;
mod log;
mod openapi;
mod page;
mod query;
mod routes;
mod schema;
mod served;
mod server;
mod tracked;
mod wire;

pub use server::{Bound, ServeError, Server};
