//! [`StepContext::forward_to_stream`]: passes a stream of items, such as the
//! chunks of a streamed LLM completion, on to the caller's event stream as
//! they arrive.

use std::pin::pin;

use tokio_stream::{Stream, StreamExt};
use workflow_model::Event;

use crate::context::{StepContext, WrittenBy};
use crate::workflow::Workflow;

impl<W: Workflow, const STEP: usize> StepContext<'_, W, STEP> {
    /// Writes one event to the stream for each item of `items` as soon as
    /// the item arrives, made by `to_event`, and returns every item, in
    /// order, once `items` ends.
    ///
    /// This is how a step passes on a streamed LLM completion chunk by
    /// chunk, keeping the whole text for its result. As with
    /// [`write_event_to_stream`](Self::write_event_to_stream), the step
    /// declares the event type in `#[step(writes(E))]`. If the runner
    /// bounds the stream with [`WhenFull::Wait`](crate::WhenFull::Wait), it
    /// waits for room before each write.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{anyhow, tokio_stream};
    ///
    /// #[event]
    /// struct Token { text: String }
    ///
    /// struct Chat;
    ///
    /// #[workflow_impl]
    /// impl Chat {
    ///     #[step(writes(Token))]
    ///     async fn answer(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
    ///         // A model's streamed reply, as a client library returns it.
    ///         let chunks = tokio_stream::iter(["Hel", "lo", "!"].map(|chunk| anyhow::Ok(chunk.to_owned())));
    ///         let chunks = ctx.forward_to_stream(chunks, |text| Token { text: text.clone() }).await?;
    ///         Ok(StopEvent::new(chunks.concat()))
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Chat.runner().run(StartEvent::new());
    /// let mut events = handler.stream_events()?;
    /// let mut tokens = Vec::new();
    /// while let Some(event) = events.next().await {
    ///     if let Some(token) = event.downcast_ref::<Token>() {
    ///         tokens.push(token.text.clone());
    ///     }
    /// }
    /// assert_eq!(tokens, ["Hel", "lo", "!"]);
    /// assert_eq!(handler.await?, "Hello!");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The first error `items` yields; the items before it have been
    /// written, and the rest of `items` is not read.
    pub async fn forward_to_stream<S, T, Error, E>(
        &self,
        items: S,
        mut to_event: impl FnMut(&T) -> E,
    ) -> Result<Vec<T>, Error>
    where
        S: Stream<Item = Result<T, Error>>,
        E: Event + WrittenBy<W, STEP>,
    {
        let mut items = pin!(items);
        let mut forwarded = Vec::new();
        while let Some(item) = items.next().await {
            let item = item?;
            self.wait_for_stream_room().await;
            self.write_event_to_stream(to_event(&item));
            forwarded.push(item);
        }
        Ok(forwarded)
    }
}
