//! [`StepContext::once`]: a side effect that an invocation runs once,
//! whose result a re-run of the invocation gets back without running it.

use std::any::type_name;
use std::future::Future;

use anyhow::anyhow;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::answers::Answers;
use crate::context::{Context, StepContext};
use crate::workflow::Workflow;

impl<W: Workflow, const STEP: usize> StepContext<'_, W, STEP> {
    /// Runs `effect`, a side effect such as a call to a model or a payment,
    /// and keeps what it returned with the invocation, so that when the
    /// invocation runs again from its top, resumed from a snapshot or
    /// recovered after a crash, this call returns the kept result without
    /// running `effect` again.
    ///
    /// The effects of an invocation are told apart by their order: the
    /// `n`-th call of the re-run gets what the `n`-th call returned before,
    /// so make them in the same order each time. An effect that fails is
    /// not kept, and its error is returned: it runs again when the step
    /// does. A result belongs to its attempt: a retry under
    /// `#[step(retry = ...)]` runs the effects again. In a durable run the
    /// result is in the store before this call returns. A step of a run
    /// that keeps no record of its invocations (it neither waits for input
    /// nor is retried, and is not durable) just runs `effect`.
    ///
    /// # Errors
    ///
    /// `effect`'s error; or, naming the step and the effect, a result that
    /// cannot be written as JSON or a kept one that no longer reads as `T`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
    ///
    /// static CALLS: AtomicU32 = AtomicU32::new(0);
    ///
    /// /// A call that costs money: it must not be made twice.
    /// async fn draft(topic: &str) -> Result<String> {
    ///     CALLS.fetch_add(1, Ordering::SeqCst);
    ///     Ok(format!("A poem about {topic}"))
    /// }
    ///
    /// struct Poet;
    ///
    /// #[workflow_impl]
    /// impl Poet {
    ///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    ///     async fn write(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
    ///         let draft: String = ctx.once(draft("the sea")).await?;
    ///         let verdict = ctx
    ///             .wait_for_event::<HumanResponseEvent>()
    ///             .publishing(InputRequiredEvent { prefix: format!("{draft}. Keep it? ") })
    ///             .await?;
    ///         Ok(StopEvent::new(format!("{draft}: {}", verdict.response)))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Poet.run(StartEvent::new());
    /// handler.stream_events()?.next().await; // the question
    /// let snapshot = handler.suspend().await?;
    ///
    /// // The step runs again from its top, and gets its draft back.
    /// let handler = Poet.runner().resume(snapshot)?;
    /// handler.send_event(HumanResponseEvent { response: "yes".into() })?;
    /// assert_eq!(handler.await?, "A poem about the sea: yes");
    /// assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn once<T, E>(&self, effect: impl Future<Output = Result<T, E>>) -> anyhow::Result<T>
    where
        T: Serialize + DeserializeOwned,
        E: Into<anyhow::Error>,
    {
        let Some(answers) = self.answers() else {
            return effect.await.map_err(Into::into);
        };
        let (nth, kept) = answers.begin_effect(self.attempt());
        let step = self.step_name();
        if let Some(kept) = kept {
            return serde_json::from_value(kept).map_err(|error| {
                anyhow!(
                    "step `{step}`: the result its effect #{} kept does not read as `{}`: {error}",
                    nth + 1,
                    type_name::<T>()
                )
            });
        }
        let result = effect.await.map_err(Into::into)?;
        let json = serde_json::to_value(&result).map_err(|error| {
            anyhow!(
                "step `{step}`: the result of its effect #{} could not be written as JSON: {error}",
                nth + 1
            )
        })?;
        answers.effect_done(nth, json);
        until_recorded(self).await;
        Ok(result)
    }
}

/// The value `make` gives, made once per position among the effects of
/// the invocation attempt `attempt` that `answers` records: a re-run of
/// the invocation gets the value made the first time. For a durable run,
/// it returns once the value is in the store.
pub(crate) async fn made_once<W: Workflow>(
    ctx: &Context<W>,
    (answers, attempt): (&Answers, u32),
    make: impl FnOnce() -> serde_json::Value,
) -> serde_json::Value {
    let (nth, kept) = answers.begin_effect(attempt);
    if let Some(kept) = kept {
        return kept;
    }
    let value = make();
    answers.effect_done(nth, value.clone());
    until_recorded(ctx).await;
    value
}

/// Waits, in a durable run, until the effects recorded so far are in the
/// store.
async fn until_recorded<W: Workflow>(ctx: &Context<W>) {
    if let Some(journal) = ctx.journal() {
        let asked = journal.ask();
        ctx.channel().wake_run();
        journal.written(asked).await;
    }
}
