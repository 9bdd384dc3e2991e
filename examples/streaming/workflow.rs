//! The streaming example's workflow: three steps in a line, each writing
//! progress to the event stream, step two forwarding a model's completion
//! as it streams. It takes any [`StreamingModel`]; `llm/` has the two the
//! program chooses from.

use std::future::Future;
use std::pin::Pin;

use tokio_stream::Stream;
use typed_workflows::anyhow;
use typed_workflows::prelude::*;

/// A streamed completion: its text, piece by piece as the model sends it.
pub type Deltas = Pin<Box<dyn Stream<Item = anyhow::Result<String>> + Send>>;

/// What step two asks of a language model.
pub trait StreamingModel: Send + Sync {
    /// Streams the completion of `prompt`.
    ///
    /// # Errors
    ///
    /// If the model refuses the request; the stream's items fail if it
    /// breaks off.
    fn stream_complete<'a>(
        &'a self,
        prompt: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Deltas>> + Send + 'a>>;
}

#[event]
pub struct FirstEvent {
    first_output: String,
}

#[event]
pub struct SecondEvent {
    second_output: String,
    response: String,
}

#[event]
pub struct ProgressEvent {
    pub msg: String,
}

pub struct MyWorkflow {
    /// The model step two streams from.
    pub llm: Box<dyn StreamingModel>,
}

workflow! {
    impl MyWorkflow {
        #[step(writes(ProgressEvent))]
        async fn step_one(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<FirstEvent> {
            ctx.write_event_to_stream(ProgressEvent { msg: "Step one is happening".into() });
            Ok(FirstEvent { first_output: "First step complete.".into() })
        }

        #[step(writes(ProgressEvent))]
        async fn step_two(&self, ctx: &Context<Self>, _ev: FirstEvent) -> Result<SecondEvent> {
            let deltas = self
                .llm
                .stream_complete("Please give me the first 3 paragraphs of Moby Dick, a book in the public domain.")
                .await?;
            let deltas = ctx
                .forward_to_stream(deltas, |delta| ProgressEvent { msg: delta.clone() })
                .await?;
            Ok(SecondEvent {
                second_output: "Second step complete, full response attached".into(),
                response: deltas.concat(),
            })
        }

        #[step(writes(ProgressEvent))]
        async fn step_three(&self, ctx: &Context<Self>, _ev: SecondEvent) -> Result<StopEvent<String>> {
            ctx.write_event_to_stream(ProgressEvent { msg: "Step three is happening".into() });
            Ok(StopEvent::new("Workflow complete.".into()))
        }
    }
}
