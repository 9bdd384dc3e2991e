//! [`WorkflowHandler`]: the caller's grip on a running run.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use workflow_model::{
    __private::{EventInfo, TakenBy},
    InputEvent, RunSnapshot, SendError, SnapshotError, StepInfo, StreamTaken, WorkflowError,
};

use crate::check::same_event;
use crate::context::step_index;
use crate::control::Request;
use crate::inbox::Sent;
use crate::named::decode_input;
use crate::route::takes_singly;
use crate::run::invocation_panic_message;
use crate::stream::{EventStream, Inlet, Subscription};
use crate::workflow::{Output, Workflow};
use workflow_model::RunId;

/// A running run: await it for the result, take its event stream to watch it.
///
/// ```
/// # use typed_workflows::prelude::*;
/// # #[event]
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
/// # async fn main() -> Result<()> {
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
///
/// The run of a [durable](crate::Runner::durable) runner is not cancelled
/// by a drop: it goes on, and once it only waits for input it parks,
/// written out to its store until [`Runner::send_input`](crate::Runner::send_input)
/// brings its input.
#[must_use = "dropping the handler cancels the run; await it for the result"]
pub struct WorkflowHandler<W: Workflow> {
    run_id: RunId,
    task: JoinHandle<Result<Output<W>, WorkflowError>>,
    subscription: Option<Subscription>,
    inlet: Inlet,
    /// Whether the run is durable: it goes on when its handler is dropped.
    durable: bool,
}

impl<W: Workflow> WorkflowHandler<W> {
    pub(crate) fn new(
        run_id: RunId,
        task: JoinHandle<Result<Output<W>, WorkflowError>>,
        (subscription, inlet): (Subscription, Inlet),
        durable: bool,
    ) -> Self {
        Self {
            run_id,
            task,
            subscription: Some(subscription),
            inlet,
            durable,
        }
    }

    /// Sends `event` into the run while it goes on: to every step waiting
    /// for such an event
    /// ([`StepContext::wait_for_event`](crate::StepContext::wait_for_event))
    /// whose filter it passes, else to every step that accepts its type,
    /// else it is kept for a step that waits for one later. A run whose
    /// steps accept an input event waits for it when it has nothing else to
    /// do, rather than stalling.
    ///
    /// The caller only queues the event: the run's own task runs the
    /// filters and routes it. Sending a type that no step of the workflow
    /// waits for or accepts does not compile.
    ///
    /// # Errors
    ///
    /// [`SendError::RunEnded`] once the run has ended;
    /// [`SendError::InboxFull`] if the run's inbox already holds its limit
    /// of events that no step has taken yet
    /// ([`Runner::inbox_limit`](crate::Runner::inbox_limit)).
    pub fn send_event<E>(&self, event: E) -> Result<(), SendError>
    where
        E: InputEvent,
        E::Itself: TakenBy<W>,
    {
        self.inlet.send(Sent::new::<W, E>(event, None), E::NAME)
    }

    /// Sends `event` to the step named `step` alone: to its waits for such
    /// an event whose filters it passes, else, if the step accepts its type,
    /// as the event of a new invocation of that step, else it is kept for
    /// a wait of that step that begins later.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{HumanResponseEvent, InputRequiredEvent, SendError};
    ///
    /// #[event]
    /// struct Answered { by: String }
    ///
    /// struct Pair;
    ///
    /// #[workflow_impl]
    /// impl Pair {
    ///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    ///     async fn left(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
    ///         let prompt = InputRequiredEvent { prefix: "left? ".into() };
    ///         let answer = ctx.wait_for_event::<HumanResponseEvent>().publishing(prompt).await?;
    ///         Ok(Answered { by: format!("left: {}", answer.response) })
    ///     }
    ///
    ///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    ///     async fn right(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
    ///         let prompt = InputRequiredEvent { prefix: "right? ".into() };
    ///         let answer = ctx.wait_for_event::<HumanResponseEvent>().publishing(prompt).await?;
    ///         Ok(Answered { by: format!("right: {}", answer.response) })
    ///     }
    ///
    ///     #[step]
    ///     async fn first(&self, ev: Answered) -> StopEvent<String> {
    ///         StopEvent::new(ev.by)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let handler = Pair.runner().run(StartEvent::new());
    /// let answer = HumanResponseEvent { response: "yes".into() };
    /// handler.send_event_to("right", answer.clone())?;
    /// assert!(matches!(
    ///     handler.send_event_to("middle", answer),
    ///     Err(SendError::UnknownStep { .. })
    /// ));
    /// assert_eq!(handler.await?, "right: yes");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SendError::UnknownStep`] if the workflow has no step of that name;
    /// [`SendError::NotTaken`] if that step neither waits for nor accepts
    /// the event's type; otherwise as [`send_event`](Self::send_event).
    pub fn send_event_to<E>(&self, step: &str, event: E) -> Result<(), SendError>
    where
        E: InputEvent,
        E::Itself: TakenBy<W>,
    {
        let index = step_index::<W>(step, E::NAME)?;
        check_taken::<W, E>(index)?;
        self.inlet
            .send(Sent::new::<W, E>(event, Some(index)), E::NAME)
    }

    /// Sends the input event named `name`, given as JSON, into the run,
    /// as [`send_event`](Self::send_event) sends a typed one: for a caller
    /// that knows the event only at run time, such as a server handing on
    /// what a client posted. `step` sends it to that step alone, as
    /// [`send_event_to`](Self::send_event_to) does.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{HumanResponseEvent, InputRequiredEvent, SendError};
    ///
    /// struct Ask;
    ///
    /// #[workflow_impl]
    /// impl Ask {
    ///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    ///     async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
    ///         let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
    ///         Ok(StopEvent::new(answer.response))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let handler = Ask.runner().run(StartEvent::new());
    /// let refused = handler.send_json("Answer", serde_json::json!({}), None).unwrap_err();
    /// assert!(matches!(refused, SendError::NotAnInput { .. }));
    /// handler.send_json("HumanResponseEvent", serde_json::json!({"response": "Ada"}), None)?;
    /// assert_eq!(handler.await?, "Ada");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SendError::NotAnInput`] if no step of the workflow takes or waits
    /// for an input event of that name; [`SendError::Malformed`] if the
    /// JSON is not such an event; otherwise as
    /// [`send_event_to`](Self::send_event_to) with a step, or
    /// [`send_event`](Self::send_event) without.
    pub fn send_json(
        &self,
        name: &str,
        value: serde_json::Value,
        step: Option<&str>,
    ) -> Result<(), SendError> {
        let input = decode_input::<W>(name, value, step)?;
        self.inlet
            .send(Sent::restored::<W>(input.event, input.to), input.name)
    }

    /// How many events the caller sent that no step has taken yet, plus
    /// the waits for input under way, between the run's looks at its
    /// inbox; 0 once the run has ended. For tests of the inbox.
    #[doc(hidden)]
    pub fn inbox_size(&self) -> usize {
        self.inlet.inbox_size()
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

    /// Writes the run down without stopping it: a consistent
    /// [`RunSnapshot`] of everything it holds at one instant, taken by the
    /// run itself between two steps' polls. The run goes on.
    ///
    /// A run waiting in the queue of
    /// [`num_concurrent_runs`](crate::Runner::num_concurrent_runs) answers
    /// once it starts.
    ///
    /// # Errors
    ///
    /// [`SnapshotError::RunEnded`] if the run ends first; another
    /// [`SnapshotError`] if an event or the state does not serialize.
    pub async fn snapshot(&self) -> Result<RunSnapshot, SnapshotError> {
        self.ask(Request::Snapshot).await
    }

    /// Writes the run down and ends it, with nothing happening in between:
    /// the [`RunSnapshot`] holds everything the run did, and the run does
    /// nothing more. Its invocations in flight are dropped, as on
    /// [`cancel`](Self::cancel), and run again from their top when the
    /// snapshot is resumed ([`Runner::resume`](crate::Runner::resume)). Its
    /// stream ends after the events published before the snapshot, and
    /// awaiting the handler then gives [`WorkflowError::Suspended`].
    ///
    /// # Errors
    ///
    /// As [`snapshot`](Self::snapshot). A run that ended first keeps its
    /// result, which awaiting the handler gives; a run that could not be
    /// written down is not ended.
    pub async fn suspend(&self) -> Result<RunSnapshot, SnapshotError> {
        self.ask(Request::Suspend).await
    }

    async fn ask(
        &self,
        request: fn(oneshot::Sender<Result<RunSnapshot, SnapshotError>>) -> Request,
    ) -> Result<RunSnapshot, SnapshotError> {
        let (reply, answer) = oneshot::channel();
        if self.inlet.ask(request(reply)).is_err() {
            return Err(SnapshotError::RunEnded);
        }
        answer.await.unwrap_or(Err(SnapshotError::RunEnded))
    }

    /// Cancels the run; awaiting the handler then yields
    /// [`WorkflowError::Cancelled`], unless the run had already finished.
    pub fn cancel(&self) {
        self.inlet.cancel();
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
    /// Cancels the run, unless it is durable: a durable run goes on, and
    /// parks once it only waits for input (see [`durable`](crate::durable));
    /// [`Runner::attach`](crate::Runner::attach) and
    /// [`Runner::send_input`](crate::Runner::send_input) find it in its
    /// store.
    fn drop(&mut self) {
        if self.durable {
            self.inlet.let_go();
        } else {
            self.task.abort();
        }
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

/// Fails unless the step at `index` takes or waits for an `E`.
pub(crate) fn check_taken<W: Workflow, E: InputEvent>(index: usize) -> Result<(), SendError> {
    check_takes::<W>(index, &E::INFO)
}

/// Fails unless the step at `index` takes or waits for an `event`.
pub(crate) fn check_takes<W: Workflow>(index: usize, event: &EventInfo) -> Result<(), SendError> {
    let info = &W::STEPS[index];
    if takes_or_waits_for(info, event) {
        Ok(())
    } else {
        Err(SendError::NotTaken {
            step: info.name,
            event: event.name,
        })
    }
}

/// Whether `step` takes an `event` one at a time or waits for one.
pub(crate) fn takes_or_waits_for(step: &StepInfo, event: &EventInfo) -> bool {
    takes_singly(step, event) || waits_for(step, event)
}

/// Whether `step` declares `#[step(waits_for(...))]` of `event`.
fn waits_for(step: &StepInfo, event: &EventInfo) -> bool {
    step.waits_for
        .iter()
        .any(|waited| same_event(waited, event))
}
