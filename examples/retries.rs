//! Retries and recovery: a report is fetched from three mirrors at once (a
//! fan-out), each fetch tried again with exponential backoff when it
//! fails. One mirror answers at once, one after two failures, and one is
//! down for good: a step that catches the fetch's final failure serves a
//! cached copy instead, so the gather still gets a page from every mirror.
//!
//! Run it with `cargo run --example retries`.

use std::time::Duration;

use typed_workflows::anyhow;
use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepFailedEvent};

/// 20 ms, then 40 ms, then 80 ms between attempts: four in all.
const BACKOFF: RetryPolicy = RetryPolicy::exponential(Duration::from_millis(20)).max_attempts(4);

/// How a mirror behaves.
#[derive(Debug, Clone, Copy)]
pub enum Health {
    /// Answers every request.
    Up,
    /// Fails this many attempts, then answers.
    FlakyFor(u32),
    /// Never answers.
    Down,
}

/// A mirror of the report.
#[derive(Debug, Clone, Copy)]
pub struct Mirror {
    pub host: &'static str,
    pub health: Health,
}

/// A fetch to make.
#[event]
pub struct Fetch {
    host: String,
}

/// Where a page came from.
#[data]
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The mirror, at this attempt.
    Mirror { attempt: u32 },
    /// The cache, after this many failed attempts.
    Cache { attempts: u32 },
}

/// The report, as one mirror gave it.
#[event]
pub struct Page {
    pub host: String,
    pub source: Source,
}

/// What happened, for the caller to print.
#[event]
pub struct Note {
    pub text: String,
}

pub struct Mirrors {
    pub mirrors: Vec<Mirror>,
}

#[workflow_impl]
impl Mirrors {
    /// Fans out: one fetch per mirror.
    #[step]
    async fn begin(&self, _start: StartEvent) -> Vec<Fetch> {
        self.mirrors
            .iter()
            .map(|mirror| Fetch {
                host: mirror.host.into(),
            })
            .collect()
    }

    /// Each attempt is bounded by its timeout; a failed one is tried again
    /// under `BACKOFF`.
    #[step(retry = BACKOFF, timeout = Duration::from_secs(2), writes(Note))]
    async fn fetch(&self, ctx: &Context<Self>, fetch: Fetch) -> Result<Page> {
        if let Some(retrying) = ctx.retrying() {
            ctx.write_event_to_stream(Note {
                text: format!(
                    "{}: attempt {} after: {}",
                    fetch.host,
                    ctx.attempt(),
                    retrying.last_error()
                ),
            });
        }
        let mirror = self
            .mirrors
            .iter()
            .find(|mirror| mirror.host == fetch.host)
            .ok_or_else(|| anyhow::anyhow!("no mirror {}", fetch.host))?;
        // Stands in for the request.
        tokio::time::sleep(Duration::from_millis(5)).await;
        match mirror.health {
            Health::Up => {}
            Health::FlakyFor(failures) if ctx.attempt() > failures => {}
            Health::FlakyFor(_) => anyhow::bail!("connection reset by {}", fetch.host),
            Health::Down => anyhow::bail!("{} is unreachable", fetch.host),
        }
        Ok(Page {
            host: fetch.host,
            source: Source::Mirror {
                attempt: ctx.attempt(),
            },
        })
    }

    /// Recovers from `fetch`'s final failure, once per mirror at most.
    #[step(catches(fetch), max_recoveries = 3, writes(Note))]
    async fn serve_cached(&self, ctx: &Context<Self>, failed: StepFailedEvent) -> Result<Page> {
        let fetch: Fetch = serde_json::from_value(failed.input)?;
        ctx.write_event_to_stream(Note {
            text: format!(
                "{}: gave up after {} attempts ({}); serving the cached copy",
                fetch.host, failed.attempts, failed.error
            ),
        });
        Ok(Page {
            host: fetch.host,
            source: Source::Cache {
                attempts: failed.attempts,
            },
        })
    }

    /// Fans in: a page per mirror, in the mirrors' order.
    #[step]
    async fn gather(&self, pages: Vec<Page>) -> StopEvent<Vec<Page>> {
        StopEvent::new(pages)
    }
}

/// The three mirrors of the example.
pub fn mirrors() -> Mirrors {
    Mirrors {
        mirrors: vec![
            Mirror {
                host: "a.example",
                health: Health::Up,
            },
            Mirror {
                host: "b.example",
                health: Health::FlakyFor(2),
            },
            Mirror {
                host: "c.example",
                health: Health::Down,
            },
        ],
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut handler = mirrors().runner().run(StartEvent::new());
    let mut events = handler.stream_events()?;
    while let Some(event) = events.next().await {
        if let Some(note) = event.downcast_ref::<Note>() {
            println!("{}", note.text);
        }
    }
    let pages = handler.await?;
    let sources: Vec<String> = pages
        .iter()
        .map(|page| match page.source {
            Source::Mirror { attempt } => format!("{} (attempt {attempt})", page.host),
            Source::Cache { attempts } => format!("{} (cached, {attempts} attempts)", page.host),
        })
        .collect();
    println!("{} pages: {}", pages.len(), sources.join(", "));
    Ok(())
}
