//! Fan-out and fan-in: one step sends an event per document, a step with
//! eight workers summarises them concurrently, and a collector gathers every
//! summary before the run stops.
//!
//! Run it with `cargo run --example fan_out`.

use std::time::Duration;

use typed_workflows::prelude::*;

/// One document to summarise, and how many there are in all.
#[event]
pub struct Document {
    index: usize,
    total: usize,
    text: String,
}

/// What the workers make of one document.
#[event]
pub struct Summary {
    index: usize,
    total: usize,
    words: usize,
}

/// The report the run ends with.
#[data]
#[derive(Debug, Clone)]
pub struct Report {
    documents: usize,
    words: usize,
}

pub struct Summarise;

workflow! {
    impl Summarise {
        /// Fans out: one `Document` event per input text.
        #[step(sends(Document))]
        async fn split(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
            let texts: Vec<String> = start.get("documents")?;
            let total = texts.len();
            for (index, text) in texts.into_iter().enumerate() {
                ctx.send_event(Document { index, total, text });
            }
            Ok(())
        }

        /// Up to eight documents are summarised at once.
        #[step(num_workers = 8)]
        async fn summarise(&self, document: Document) -> Result<Summary> {
            // Stands in for a call to a model or a service.
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(Summary {
                index: document.index,
                total: document.total,
                words: document.text.split_whitespace().count(),
            })
        }

        /// Fans in: waits for every summary, then stops.
        #[step]
        async fn gather(&self, ctx: &Context<Self>, summary: Summary) -> Result<Option<StopEvent<Report>>> {
            let total = summary.total;
            let Some(summaries) = ctx.collect_events(summary, total) else {
                return Ok(None);
            };
            Ok(Some(StopEvent::new(Report {
                documents: summaries.len(),
                words: summaries.iter().map(|summary| summary.words).sum(),
            })))
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let documents: Vec<String> = (1..=40)
        .map(|n| "lorem ipsum dolor sit amet ".repeat(n))
        .collect();
    let report = Summarise
        .runner()
        .run(StartEvent::new().with("documents", documents))
        .await?;
    println!(
        "Summarised {} documents, {} words in all.",
        report.documents, report.words
    );
    Ok(())
}
