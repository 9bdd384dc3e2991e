//! A long fan-out with a progress bar: 500 documents are embedded by
//! sixteen concurrent workers and gathered into one index. The first step
//! returns a `Vec` of chunks (one branch each) and writes how many there
//! are; each worker writes an event when it is done; the last step takes
//! the `Vec` of every branch's embedding. The caller drives an `indicatif`
//! bar from the event stream: its length from the first event, a tick per
//! embedded chunk.
//!
//! Run it with `cargo run --example progress_bar`, or give the number of
//! documents: `cargo run --example progress_bar -- 2000`.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use typed_workflows::anyhow;
use typed_workflows::prelude::*;

/// A document to embed.
#[event]
pub struct Chunk {
    index: usize,
    text: String,
}

/// A document's embedding.
#[event]
pub struct Embedded {
    index: usize,
    vector: [f32; 4],
}

/// How many documents the run embeds, written before the first is.
#[event]
pub struct Planned {
    pub documents: usize,
}

/// One document is embedded.
#[event]
pub struct Done {
    pub index: usize,
}

/// What the run built.
#[data]
#[derive(Debug, Clone)]
pub struct Index {
    pub documents: usize,
    /// Whether the embeddings came back in the documents' order.
    pub in_order: bool,
}

pub struct Embed;

#[workflow_impl]
impl Embed {
    /// Fans out: one branch per document.
    #[step(writes(Planned))]
    async fn split(&self, ctx: &Context<Self>, start: StartEvent) -> Result<Vec<Chunk>> {
        let texts: Vec<String> = start.get("documents")?;
        ctx.write_event_to_stream(Planned {
            documents: texts.len(),
        });
        Ok(texts
            .into_iter()
            .enumerate()
            .map(|(index, text)| Chunk { index, text })
            .collect())
    }

    /// Sixteen documents at once.
    #[step(num_workers = 16, writes(Done))]
    async fn embed(&self, ctx: &Context<Self>, chunk: Chunk) -> Embedded {
        // Stands in for a call to an embedding model.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let bytes = chunk.text.len() as f32;
        ctx.write_event_to_stream(Done { index: chunk.index });
        Embedded {
            index: chunk.index,
            vector: [bytes, bytes.sqrt(), bytes.ln_1p(), 1.0],
        }
    }

    /// Fans in: every branch's embedding, in branch order.
    #[step]
    async fn store(&self, embedded: Vec<Embedded>) -> StopEvent<Index> {
        StopEvent::new(Index {
            documents: embedded.len(),
            in_order: embedded
                .iter()
                .enumerate()
                .all(|(position, embedded)| embedded.index == position),
        })
    }
}

/// `count` documents of different lengths.
pub fn documents(count: usize) -> Vec<String> {
    (0..count)
        .map(|n| format!("document {n}: {}", "lorem ipsum ".repeat(n % 50)))
        .collect()
}

/// Runs [`Embed`] over `documents`, advancing `bar` as the documents are
/// embedded.
///
/// # Errors
///
/// If the run fails.
pub async fn embed_with_bar(documents: Vec<String>, bar: &ProgressBar) -> anyhow::Result<Index> {
    let mut handler = Embed
        .runner()
        .run(StartEvent::new().with("documents", documents));
    let mut events = handler.stream_events()?;
    while let Some(event) = events.next().await {
        if let Some(planned) = event.downcast_ref::<Planned>() {
            bar.set_length(planned.documents as u64);
        } else if event.downcast_ref::<Done>().is_some() {
            bar.inc(1);
        }
    }
    let index = handler.await?;
    bar.finish();
    Ok(index)
}

#[tokio::main]
async fn main() -> Result<()> {
    let count = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 500,
    };
    let style =
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {elapsed} ({eta} left)")?;
    let bar = ProgressBar::new(0).with_style(style);
    let index = embed_with_bar(documents(count), &bar).await?;
    println!(
        "Embedded {} documents, in order: {}.",
        index.documents, index.in_order
    );
    Ok(())
}
