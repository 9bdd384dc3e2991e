//! Logging: the workflow's `tracing` spans and events through a
//! `tracing-subscriber` set up as most programs want it, filtered by
//! `RUST_LOG` (default `info`). A run is a `workflow` span (`info`), each
//! of its steps a `step` span inside it (`debug`) that every invocation of
//! the step enters, and a step's own `tracing::info!` is printed inside
//! both. Retries are logged at `info`,
//! failures at `warn`.
//!
//! Run it with `cargo run --example logging`, or see the step spans with
//! `RUST_LOG=debug cargo run --example logging`.

use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use typed_workflows::RetryPolicy;
use typed_workflows::anyhow;
use typed_workflows::prelude::*;

/// Tried again at once, up to three attempts.
const AGAIN: RetryPolicy = RetryPolicy::fixed(Duration::ZERO);

#[event]
pub struct Order {
    id: u32,
}

pub struct Shop;

#[workflow_impl]
impl Shop {
    #[step]
    async fn receive(&self, start: StartEvent) -> Result<Order> {
        let id: u32 = start.get("order")?;
        tracing::info!(id, "order received");
        Ok(Order { id })
    }

    /// Fails its first attempt, as a flaky payment service would.
    #[step(retry = AGAIN)]
    async fn charge(&self, ctx: &Context<Self>, order: Order) -> Result<StopEvent<String>> {
        anyhow::ensure!(ctx.attempt() > 1, "the payment service timed out");
        tracing::info!(order.id, attempt = ctx.attempt(), "charged");
        Ok(StopEvent::new(format!("order {} charged", order.id)))
    }
}

/// The subscriber: one line per event, with the spans it is in, filtered
/// by `filter`, written to what `writer` makes (standard error, in the
/// program).
pub fn subscriber<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

#[tokio::main]
async fn main() -> Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing::subscriber::set_global_default(subscriber(filter, std::io::stderr))?;
    let result = Shop
        .runner()
        .run(StartEvent::new().with("order", 7))
        .await?;
    println!("{result}");
    Ok(())
}
