//! [`WorkflowHandler`]: the caller's grip on a running run.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio::task::JoinHandle;

use crate::context::RunId;
use crate::error::SendError;
use crate::error::{StreamTaken, WorkflowError};
use crate::input::InputEvent;
use crate::run::invocation_panic_message;
use crate::stream::{EventStream, Inlet, Subscription};
use crate::workflow::{Output, Workflow};

/// A running run: await it for the result, take its event stream to watch it.
///
/// ```
/// # use workflows::prelude::*;
/// # #[derive(Debug, Clone, Serialize, Deserialize, Event)]
/// # struct Progress { msg: String }
/// # struct Hello;
/// # #[workflow_impl]
/// # impl Hello {
/// #     #[step(writes(Progress))]
/// #     async fn hello(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<String> {
/// #         ctx.write_event_to_stream(Progress { msg: "hi".into() });
/// #         StopEvent::new("done".into())
/// #     }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let mut handler = Hello.runner().run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// while let Some(event) = events.next().await {
///     if let Some(progress) = event.downcast_ref::<Progress>() {
///         println!("{}", progress.msg);
///     }
/// }
/// let result: String = handler.await?;
/// # assert_eq!(result, "done");
/// # Ok(())
/// # }
/// ```
///
/// # Awaiting
///
/// The handler is a future of `Result<T, WorkflowError>`, `T` being the
/// output of the workflow's stop event. Awaiting it is optional for the run,
/// which goes on in its own task; awaiting it without reading the stream is
/// fine too, as the stream never makes a step wait (unless the runner bounds
/// it with [`WhenFull::Wait`](crate::WhenFull::Wait)). Polling it is
/// cancel-safe: a `select!` that drops a `&mut handler` future loses nothing.
///
/// # Dropping and cancelling
///
/// Dropping the handler cancels the run, as [`cancel`](Self::cancel) does:
/// every step still running is dropped at the next await point where it has
/// to wait (on a multi-thread runtime, a poll already under way finishes
/// first), queued events are discarded, and the stream ends. Events written before the
/// stream is taken are kept for it until the handler is dropped.
#[must_use = "dropping the handler cancels the run; await it for the result"]
pub struct WorkflowHandler<W: Workflow> {
    run_id: RunId,
    task: JoinHandle<Result<Output<W>, WorkflowError>>,
    subscription: Option<Subscription>,
    inlet: Inlet,
}

impl<W: Workflow> WorkflowHandler<W> {
    pub(crate) fn new(
        run_id: RunId,
        task: JoinHandle<Result<Output<W>, WorkflowError>>,
        subscription: Subscription,
        inlet: Inlet,
    ) -> Self {
        Self {
            run_id,
            task,
            subscription: Some(subscription),
            inlet,
        }
    }

    /// Sends `event` into the run while it goes on: to the first step
    /// waiting for such an event
    /// ([`StepContext::wait_for_event`](crate::StepContext::wait_for_event))
    /// whose filter it passes, else to every step that accepts its type,
    /// else it is kept for a step that waits for one later. A run whose
    /// steps accept an input event waits for it when it has nothing else to
    /// do, rather than stalling.
    ///
    /// # Errors
    ///
    /// [`SendError::RunEnded`] once the run has ended.
    pub fn send_event<E: InputEvent>(&self, event: E) -> Result<(), SendError> {
        self.inlet.send::<W, E>(event)
    }

    /// The id of the run, as steps see it in [`Context::run_id`](crate::Context::run_id).
    pub fn run_id(&self) -> RunId {
        self.run_id
    }

    /// The run's events as a stream, starting with the first event written.
    ///
    /// # Errors
    ///
    /// [`StreamTaken`] if the stream was taken before: a run has one stream.
    pub fn stream_events(&mut self) -> Result<EventStream, StreamTaken> {
        self.subscription
            .take()
            .map(Subscription::into_stream)
            .ok_or(StreamTaken)
    }

    /// Cancels the run; awaiting the handler then yields
    /// [`WorkflowError::Cancelled`], unless the run had already finished.
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// Whether the run has ended, in any way.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl<W: Workflow> Future for WorkflowHandler<W> {
    type Output = Result<Output<W>, WorkflowError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task)
            .poll(cx)
            .map(|joined| match joined {
                Ok(outcome) => outcome,
                Err(error) if error.is_cancelled() => Err(WorkflowError::Cancelled),
                Err(error) => Err(WorkflowError::RunPanicked {
                    message: invocation_panic_message(&*error.into_panic()),
                }),
            })
    }
}

impl<W: Workflow> Drop for WorkflowHandler<W> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<W: Workflow> fmt::Debug for WorkflowHandler<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowHandler")
            .field("workflow", &W::NAME)
            .field("run_id", &self.run_id)
            .field("finished", &self.is_finished())
            .finish()
    }
}
