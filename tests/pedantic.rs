//! A workflow under `clippy::pedantic`, which CI's `cargo clippy -D warnings`
//! checks: the code `workflow!` generates, and the steps it keeps, trip none
//! of its lints. Steps that never await are the case in point: a step must be
//! an `async fn` all the same, which `clippy::unused_async` would flag.

#![warn(clippy::pedantic)]

use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepFailedEvent};

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Chunk {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Counted {
    words: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Note {
    line: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Total {
    words: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Empty {}

#[derive(Debug, OneOf)]
enum Checked {
    Done(StopEvent<usize>),
    Empty(Empty),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Seen {
    chunks: usize,
}

const ONCE_MORE: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(2);

struct Words;

#[workflow_impl(state = Seen)]
impl Words {
    #[step(writes(Note))]
    async fn split(&self, ctx: &Context<Self>, start: StartEvent) -> Result<Vec<Chunk>> {
        let text: String = start.get("text")?;
        ctx.write_event_to_stream(Note {
            line: "split".into(),
        });
        Ok(text
            .split('.')
            .map(|text| Chunk { text: text.into() })
            .collect())
    }

    #[step(num_workers = 2, retry = ONCE_MORE, timeout = Duration::from_secs(5))]
    async fn count(&self, ctx: &Context<Self>, chunk: Chunk) -> Counted {
        ctx.edit_state(|seen| seen.chunks += 1);
        Counted {
            words: chunk.text.split_whitespace().count(),
        }
    }

    #[step(sends(Total))]
    async fn sum(&self, ctx: &Context<Self>, counts: Vec<Counted>) {
        ctx.send_event(Total {
            words: counts.iter().map(|counted| counted.words).sum(),
        });
    }

    #[step(spawn)]
    async fn check(&self, total: Total) -> Result<Checked> {
        anyhow::ensure!(total.words < 1_000, "too many words");
        Ok(match total.words {
            0 => Checked::Empty(Empty {}),
            words => Checked::Done(StopEvent::new(words)),
        })
    }

    #[step]
    async fn empty(&self, _empty: Empty) -> StopEvent<usize> {
        StopEvent::new(0)
    }

    #[step(catches(check))]
    async fn recover(&self, _failed: StepFailedEvent) -> StopEvent<usize> {
        StopEvent::new(0)
    }
}

#[tokio::test]
async fn a_workflow_whose_steps_never_await_runs() {
    let start = StartEvent::new().with("text", "one two. three");
    assert_eq!(Words.run(start).await.unwrap(), 3);
}
