//! A local stand-in for a streaming LLM, so that the example runs offline
//! and without an API key: it "completes" any prompt with the opening
//! paragraphs of Moby-Dick (public domain), one word at a time, with a short
//! pause per word as a model's tokens arrive.

use std::pin::Pin;
use std::time::Duration;

use tokio_stream::{Stream, StreamExt};

/// A stream of completion deltas, as streaming LLM clients return them.
pub type Deltas = Pin<Box<dyn Stream<Item = anyhow::Result<String>> + Send>>;

/// The text every completion streams.
const MOBY_DICK: &str = include_str!("moby_dick.txt");

/// How long the stand-in takes per word.
const PER_WORD: Duration = Duration::from_millis(3);

/// A language model that streams its completions.
pub struct Llm;

impl Llm {
    /// The offline stand-in.
    pub fn offline() -> Self {
        Self
    }

    /// Streams the completion of `prompt`, one delta (a word and the space or
    /// line break after it) per item.
    pub async fn stream_complete(&self, _prompt: &str) -> anyhow::Result<Deltas> {
        let words = MOBY_DICK
            .split_inclusive(char::is_whitespace)
            .map(str::to_owned)
            .collect::<Vec<_>>();
        Ok(Box::pin(tokio_stream::iter(words).then(
            |word| async move {
                tokio::time::sleep(PER_WORD).await;
                Ok(word)
            },
        )))
    }
}
