//! A model behind OpenAI's chat completions API, streamed with
//! `async-openai`.

use anyhow::{Context as _, anyhow};
use async_openai::Client;
use async_openai::config::{Config as _, OpenAIConfig};
use async_openai::types::chat::{
    ChatCompletionRequestUserMessage, ChatCompletionResponseStream, CreateChatCompletionRequestArgs,
};
use tokio_stream::StreamExt;
use typed_workflows::anyhow;

use super::Deltas;

/// A model at a server that speaks OpenAI's chat completions protocol.
pub struct OpenAi {
    client: Client<OpenAIConfig>,
    model: String,
}

impl OpenAi {
    /// The model `model` at `base_url`, or at OpenAI's API if `None`.
    pub fn new(base_url: Option<&str>, api_key: &str, model: &str) -> Self {
        let mut config = OpenAIConfig::new().with_api_key(api_key);
        if let Some(base_url) = base_url {
            config = config.with_api_base(base_url);
        }
        Self {
            client: Client::with_config(config),
            model: model.to_owned(),
        }
    }

    /// Streams the completion of `prompt`, one item per chunk that carries
    /// text.
    pub async fn stream_complete(&self, prompt: &str) -> anyhow::Result<Deltas> {
        let source = format!("{} at {}", self.model, self.client.config().api_base());
        let request = CreateChatCompletionRequestArgs::default()
            .model(&self.model)
            .messages([ChatCompletionRequestUserMessage::from(prompt).into()])
            .build()?;
        let chunks = self
            .client
            .chat()
            .create_stream(request)
            .await
            .with_context(|| format!("asking {source} for a completion failed"))?;
        Ok(Box::pin(deltas(chunks, source)))
    }
}

/// What is left of a completion's stream while its text is read.
struct Reading {
    chunks: ChatCompletionResponseStream,
    /// Where the chunks come from, for errors.
    source: String,
    /// Whether a chunk has said why the model stopped, as the last chunk of
    /// a whole completion does.
    finished: bool,
}

/// The text of each chunk of `chunks` that has some. The stream fails if a
/// chunk does, and if it ends before a chunk says the model finished, as
/// when the connection is cut: the text would not be whole.
fn deltas(
    chunks: ChatCompletionResponseStream,
    source: String,
) -> impl tokio_stream::Stream<Item = anyhow::Result<String>> + Send {
    let reading = Reading {
        chunks,
        source,
        finished: false,
    };
    futures_util::stream::unfold(Some(reading), |reading| async move {
        let mut reading = reading?;
        loop {
            let chunk = match reading.chunks.next().await {
                Some(Ok(chunk)) => chunk,
                Some(Err(error)) => {
                    let error = anyhow!(error)
                        .context(format!("the completion from {} broke off", reading.source));
                    return Some((Err(error), None));
                }
                None if reading.finished => return None,
                None => {
                    let error = anyhow!(
                        "the completion from {} ended before the model finished (no chunk had a `finish_reason`)",
                        reading.source
                    );
                    return Some((Err(error), None));
                }
            };
            let Some(choice) = chunk.choices.into_iter().next() else {
                continue;
            };
            reading.finished |= choice.finish_reason.is_some();
            if let Some(text) = choice.delta.content.filter(|text| !text.is_empty()) {
                return Some((Ok(text), Some(reading)));
            }
        }
    })
}
