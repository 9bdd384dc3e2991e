//! The stand-in for a streaming LLM: it "completes" any prompt with the
//! opening paragraphs of Moby-Dick (public domain), one word at a time, with
//! a short pause per word as a model's tokens arrive.

use std::time::Duration;

use tokio_stream::StreamExt;

use super::Deltas;

/// The text every completion streams.
const MOBY_DICK: &str = include_str!("../moby_dick.txt");

/// How long the stand-in takes per word.
const PER_WORD: Duration = Duration::from_millis(3);

/// The completion, one delta (a word and the space or line break after it)
/// per item.
pub fn stream_complete() -> Deltas {
    let words = MOBY_DICK
        .split_inclusive(char::is_whitespace)
        .map(str::to_owned)
        .collect::<Vec<_>>();
    Box::pin(tokio_stream::iter(words).then(|word| async move {
        tokio::time::sleep(PER_WORD).await;
        Ok(word)
    }))
}
