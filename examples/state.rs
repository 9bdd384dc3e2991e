//! State: a run carries a typed state that its steps read and edit. Here a
//! word count: one step sends each line of a text to eight workers, which
//! add its words to the run's tally, and the last one to finish stops the
//! run. The caller passes in a `State` to read the tally after the run,
//! then passes the same `State` to a second run, which adds to it.
//!
//! Run it with `cargo run --example state`.

use std::collections::BTreeMap;

use typed_workflows::State;
use typed_workflows::prelude::*;

/// The state of a run: each word's count, and the lines not counted yet.
#[data]
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub words: BTreeMap<String, u32>,
    lines_left: usize,
}

impl Tally {
    /// The `n` most frequent words, the most frequent first, ties in
    /// alphabetical order.
    pub fn top(&self, n: usize) -> Vec<(String, u32)> {
        let mut words: Vec<(String, u32)> = self
            .words
            .iter()
            .map(|(word, count)| (word.clone(), *count))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        words.truncate(n);
        words
    }
}

/// One line of the text.
#[event]
pub struct Line {
    text: String,
}

pub struct WordCount;

#[workflow_impl(state = Tally)]
impl WordCount {
    /// Sends each line to be counted; stops at once for a text of none.
    #[step(sends(Line))]
    async fn split(
        &self,
        ctx: &Context<Self>,
        start: StartEvent,
    ) -> Result<Option<StopEvent<usize>>> {
        let text: String = start.get("text")?;
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        if lines.is_empty() {
            return Ok(Some(StopEvent::new(0)));
        }
        ctx.edit_state(|tally| tally.lines_left += lines.len());
        for line in lines {
            ctx.send_event(Line { text: line.into() });
        }
        Ok(None)
    }

    /// Counts a line's words; the last line stops the run with the number
    /// of distinct words.
    #[step(num_workers = 8)]
    async fn count(&self, ctx: &Context<Self>, line: Line) -> Option<StopEvent<usize>> {
        ctx.edit_state(|tally| {
            for word in line.text.split(|c: char| !c.is_alphanumeric()) {
                if !word.is_empty() {
                    *tally.words.entry(word.to_lowercase()).or_default() += 1;
                }
            }
            tally.lines_left -= 1;
            (tally.lines_left == 0).then(|| StopEvent::new(tally.words.len()))
        })
    }
}

/// The texts the example counts, one per run.
pub const TEXTS: [&str; 2] = [
    "The sea was calm.\nThe ship sailed on.\nA whale rose from the sea.",
    "The whale dived.\nThe crew watched the sea in silence.",
];

#[tokio::main]
async fn main() -> Result<()> {
    let tally = State::new(Tally::default());
    for text in TEXTS {
        let distinct = WordCount
            .runner()
            .run_with_state(StartEvent::new().with("text", text), tally.clone())
            .await?;
        println!(
            "after {} lines: {distinct} distinct words",
            text.lines().count()
        );
    }
    let top: Vec<String> = tally
        .read(|tally| tally.top(3))
        .iter()
        .map(|(word, count)| format!("{word} ({count})"))
        .collect();
    println!("Most frequent: {}", top.join(", "));
    Ok(())
}
