//! The LLM of step two: a model that speaks OpenAI's chat completions
//! protocol when `OPENAI_API_KEY` is set, and otherwise a local stand-in, so
//! that the example runs offline and without a key.

mod offline;
mod openai;

use std::future::Future;
use std::pin::Pin;
use typed_workflows::anyhow;

use super::workflow::{Deltas, StreamingModel};

/// The model used when `OPENAI_MODEL` does not name one.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// A language model that streams its completions.
pub enum Llm {
    /// A server of OpenAI's chat completions API.
    OpenAi(Box<openai::OpenAi>),
    /// The stand-in, which needs no network.
    Offline,
}

impl Llm {
    /// The model the environment asks for: with `OPENAI_API_KEY` set, the
    /// model `OPENAI_MODEL` (default [`DEFAULT_MODEL`]) at `OPENAI_BASE_URL`
    /// (default OpenAI's API); without it, the stand-in, saying on stderr how
    /// to use a real model.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading each variable with `var`;
    /// an empty value counts as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name| var(name).filter(|value| !value.is_empty());
        let Some(api_key) = var("OPENAI_API_KEY") else {
            eprintln!(
                "No OPENAI_API_KEY: step two streams a stand-in text. Set OPENAI_API_KEY (and OPENAI_MODEL, OPENAI_BASE_URL for another model or server) to stream from a real model."
            );
            return Self::Offline;
        };
        let model = var("OPENAI_MODEL").unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        Self::openai(var("OPENAI_BASE_URL").as_deref(), &api_key, &model)
    }

    /// The model `model` at `base_url` (OpenAI's API if `None`), for
    /// example `http://localhost:11434/v1` for Ollama.
    pub fn openai(base_url: Option<&str>, api_key: &str, model: &str) -> Self {
        Self::OpenAi(Box::new(openai::OpenAi::new(base_url, api_key, model)))
    }
}

impl StreamingModel for Llm {
    /// Streams the completion of `prompt`: it fails if the server refuses
    /// the request, and its items if the stream breaks off (an error from
    /// the server, a chunk that is not one, or a stream that ends before
    /// the model says it has finished).
    fn stream_complete<'a>(
        &'a self,
        prompt: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Deltas>> + Send + 'a>> {
        Box::pin(async move {
            match self {
                Self::OpenAi(model) => model.stream_complete(prompt).await,
                Self::Offline => Ok(offline::stream_complete()),
            }
        })
    }
}
