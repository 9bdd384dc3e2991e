//! Runs recorded for the workers of a store to run: [`Runner::submit`].

use anyhow::anyhow;
use workflow_model::{RunId, WorkflowError};

use crate::run::Runner;
use crate::workflow::Workflow;

impl<W: Workflow> Runner<W> {
    /// Records a new run with `start` in the runner's store, for whichever
    /// worker of this workflow and build takes it up first (see
    /// [`work`](Self::work)), and returns its id once it is recorded. None
    /// of its steps runs in this process, unless this process is one of
    /// those workers. Its timeout, if it has one, counts from now.
    ///
    /// Read the run with [`stored_events`](Self::stored_events) and
    /// [`stored_outcome`](Self::stored_outcome), send it input with
    /// [`send_input`](Self::send_input), and end it with
    /// [`cancel_stored`](Self::cancel_stored), from any process.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::durable::StoredOutcome;
    /// use typed_workflows::store::MemoryStore;
    ///
    /// struct Greet;
    ///
    /// #[workflow_impl]
    /// impl Greet {
    ///     #[step]
    ///     async fn greet(&self, _start: StartEvent) -> StopEvent<String> {
    ///         StopEvent::new("hello".to_owned())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let store = std::sync::Arc::new(MemoryStore::new());
    /// let runner = Greet.runner().durable(store);
    /// let run = runner.submit(StartEvent::new()).await?;
    /// // A worker, in this process or another, takes it up.
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let worker = runner.clone();
    /// let working = tokio::spawn(async move {
    ///     worker.work(async { let _ = stopped.await; }, std::time::Duration::from_secs(5)).await
    /// });
    /// match runner.stored_outcome(run).await? {
    ///     StoredOutcome::Stopped(stop) => {
    ///         assert_eq!(stop.downcast::<StopEvent<String>>().unwrap().result, "hello");
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// stop.send(()).unwrap();
    /// working.await??;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`WorkflowError::Store`] if the runner has no store, or the store
    /// could not record the run.
    pub async fn submit(&self, start: W::Start) -> Result<RunId, WorkflowError> {
        if self.durability().is_none() {
            return Err(WorkflowError::Store {
                source: anyhow!(
                    "the runner is not durable: give it a store with `Runner::durable` to submit runs"
                ),
            });
        }
        let handler = self.spawn_handed_off(start);
        let run = handler.run_id();
        match handler.await {
            Ok(_) | Err(WorkflowError::Suspended) => Ok(run),
            Err(error) => Err(error),
        }
    }
}
