//! Human in the loop: [`StepContext::wait_for_event`], which suspends a
//! step until an event the run's caller sends in
//! ([`WorkflowHandler::send_event`](crate::WorkflowHandler::send_event))
//! comes. The events themselves, [`InputEvent`] and the built-in
//! [`InputRequiredEvent`](crate::InputRequiredEvent) and
//! [`HumanResponseEvent`](crate::HumanResponseEvent), are the model's.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::sync::oneshot;
use workflow_model::{AnyEvent, Event, InputEvent, WaitTimedOut};

use crate::answers::{Answers, Position};
use crate::context::{Context, StepContext, WrittenBy};
use crate::effect::made_once;
use crate::inbox::Reply;
use crate::workflow::Workflow;

/// Implemented by `workflow!` for each event type a step of `W` declares in
/// `#[step(waits_for(...))]`; `STEP` is the step's index, and `REPEAT` tells
/// a repeated declaration apart, as for [`SentBy`](crate::bounds::SentBy).
#[diagnostic::on_unimplemented(
    message = "this step waits for `{Self}` without declaring it",
    label = "`{Self}` is not in this step's `#[step(waits_for(...))]`",
    note = "add it to the step's attribute, like `#[step(waits_for({Self}))]`, so that the workflow's graph shows it"
)]
pub trait WaitedBy<W, const STEP: usize, const REPEAT: usize = 0> {}
impl<'run, W: Workflow, const STEP: usize> StepContext<'run, W, STEP> {
    /// Suspends the step until the run's caller sends an `E`
    /// ([`WorkflowHandler::send_event`](crate::WorkflowHandler::send_event)),
    /// and resumes it in place with the event: the step is not run again
    /// from its start. Await what this returns, after choosing with its
    /// methods an event to publish once the step waits, a filter on the
    /// awaited event, and a timeout.
    ///
    /// The step declares the type in `#[step(waits_for(E))]`. The wait
    /// begins before the event to publish goes out, so a caller who answers
    /// that event always finds the step waiting; an `E` the caller sent
    /// earlier that no step took is handed over at once. One event answers
    /// every wait under way that it suits, in every step.
    ///
    /// The filter ([`matching`](WaitForEvent::matching)) runs on the run's
    /// own task, never on the caller's, and under no lock: a filter that
    /// panics makes this step panic, with a message naming the event.
    ///
    /// The answers belong to the step's invocation, not to one attempt: a
    /// step retried under `#[step(retry = ...)]` whose earlier attempt
    /// received an answer gets it again, at once and without publishing, at
    /// the wait of the same place in the order of its waits (the first
    /// wait of the attempt, the second, ...), if that wait is for the same
    /// type. A wait that ends without an answer (its timeout, or the step's
    /// future dropped) leaves nothing behind.
    ///
    /// ```
    /// use std::time::Duration;
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
    ///
    /// struct Greeter;
    ///
    /// #[workflow_impl]
    /// impl Greeter {
    ///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    ///     async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
    ///         let answer = ctx
    ///             .wait_for_event::<HumanResponseEvent>()
    ///             .publishing(InputRequiredEvent { prefix: "Your name: ".into() })
    ///             .matching(|answer| !answer.response.trim().is_empty())
    ///             .timeout(Duration::from_secs(300))
    ///             .await?;
    ///         Ok(StopEvent::new(format!("Hello, {}!", answer.response.trim())))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Greeter.runner().run(StartEvent::new());
    /// let mut events = handler.stream_events()?;
    /// while let Some(event) = events.next().await {
    ///     if let Some(asked) = event.downcast_ref::<InputRequiredEvent>() {
    ///         assert_eq!(asked.prefix, "Your name: ");
    ///         handler.send_event(HumanResponseEvent { response: "Ada".into() })?;
    ///     }
    /// }
    /// assert_eq!(handler.await?, "Hello, Ada!");
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_event<E>(&self) -> WaitForEvent<'run, W, STEP, E>
    where
        E: InputEvent + WaitedBy<W, STEP>,
    {
        WaitForEvent {
            ctx: self.context(),
            attempt: self.attempt(),
            answers: self.answers(),
            publish: None,
            wants: Box::new(|_| true),
            timeout: None,
            event: PhantomData,
        }
    }
}

/// Publishes a waiting step's event on the stream.
type Publish<'run, W> = Box<dyn FnOnce(&Context<W>) + Send + 'run>;

/// A wait for an event from the run's caller, built by
/// [`StepContext::wait_for_event`]; await it for the event.
///
/// ```
/// use typed_workflows::HumanResponseEvent;
/// use typed_workflows::prelude::*;
///
/// struct Pin;
///
/// #[workflow_impl]
/// impl Pin {
///     #[step(waits_for(HumanResponseEvent))]
///     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<u32>> {
///         let answer = ctx
///             .wait_for_event::<HumanResponseEvent>()
///             .matching(|answer| answer.response.parse::<u32>().is_ok())
///             .await?;
///         Ok(StopEvent::new(answer.response.parse()?))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let handler = Pin.runner().run(StartEvent::new());
/// handler.send_event(HumanResponseEvent { response: "four".into() })?; // the filter skips it
/// handler.send_event(HumanResponseEvent { response: "4".into() })?;
/// assert_eq!(handler.await?, 4);
/// # Ok(())
/// # }
/// ```
#[must_use = "the step only waits when this is awaited"]
pub struct WaitForEvent<'run, W: Workflow, const STEP: usize, E> {
    ctx: &'run Context<W>,
    attempt: u32,
    answers: Option<&'run Answers>,
    publish: Option<Publish<'run, W>>,
    wants: Box<dyn Fn(&E) -> bool + Send + 'static>,
    timeout: Option<Duration>,
    event: PhantomData<fn() -> E>,
}

impl<'run, W: Workflow, const STEP: usize, E: InputEvent> WaitForEvent<'run, W, STEP, E> {
    /// Publishes `event` on the stream once the step waits, as
    /// [`StepContext::write_event_to_stream`] does; usually an
    /// [`InputRequiredEvent`](crate::InputRequiredEvent) that tells the caller what to send.
    pub fn publishing<P>(mut self, event: P) -> Self
    where
        P: Event + WrittenBy<W, STEP>,
    {
        self.publish = Some(Box::new(move |ctx: &Context<W>| {
            ctx.write_event_to_stream(event);
        }));
        self
    }

    /// Takes only an event for which `wants` returns `true`; others go on
    /// to other waiting steps, or to the steps that accept them. `wants`
    /// runs on the run's task when an event comes; keep it quick, as the
    /// run's other steps wait while it runs.
    pub fn matching(mut self, wants: impl Fn(&E) -> bool + Send + 'static) -> Self {
        self.wants = Box::new(wants);
        self
    }

    /// Fails the wait with [`WaitTimedOut`] if no event comes within
    /// `after`. In a durable run the deadline is recorded when the wait
    /// first begins: an invocation that runs again after a crash waits
    /// until the same instant (and counts as one of its step's effects,
    /// as a [`once`](StepContext::once) does).
    pub fn timeout(mut self, after: Duration) -> Self {
        self.timeout = Some(after);
        self
    }
}

impl<'run, W: Workflow, const STEP: usize, E: InputEvent> IntoFuture
    for WaitForEvent<'run, W, STEP, E>
{
    type Output = Result<E, WaitTimedOut>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'run>>;

    fn into_future(self) -> Self::IntoFuture {
        let Self {
            ctx,
            attempt,
            answers,
            publish,
            wants,
            timeout,
            ..
        } = self;
        Box::pin(async move {
            let mut position = answers.map(|answers| answers.begin::<E>(attempt));
            // An earlier attempt of the invocation was answered: the step is
            // not asked again.
            if let Some(earlier) = position.as_mut().and_then(|at| at.earlier.take()) {
                return Ok(earlier);
            }
            // In a durable run, a wait's timeout is a deadline recorded with
            // the invocation: a re-run after a crash waits until the same
            // instant, not for the whole timeout again.
            let left = match (timeout, answers) {
                (Some(after), Some(answers)) if ctx.journal().is_some() => {
                    Some(time_left(ctx, (answers, attempt), after).await)
                }
                (timeout, _) => timeout,
            };
            let key = answers.map_or(0, Answers::key);
            let nth = position.as_ref().map_or(0, Position::nth);
            // An answer already sent (a durable run taken up with the input
            // that woke it, say) is taken without asking again.
            let answered = publish.is_some() && {
                let held = ctx.channel().inbox().held_for::<E>(STEP);
                held.iter().filter_map(AnyEvent::downcast_ref).any(&wants)
            };
            let mut wait = Waiting::begin::<E>(ctx, (STEP, key, nth), timeout.is_some(), wants);
            if let Some(publish) = publish.filter(|_| !answered) {
                publish(ctx);
            }
            let reply = match timeout {
                None => wait.reply().await,
                Some(after) => {
                    match tokio::time::timeout(left.unwrap_or(after), wait.reply()).await {
                        Ok(reply) => reply,
                        // An event handed over just as the time ran out is still
                        // taken, not lost.
                        Err(_) => wait.late().ok_or(WaitTimedOut {
                            event: E::NAME,
                            after,
                        })?,
                    }
                }
            };
            let event = match reply {
                Ok(event) => event,
                // The filter panicked on the run's task: the step panics,
                // without running the panic hook a second time.
                Err(message) => std::panic::resume_unwind(Box::new(message)),
            };
            if let Some(watcher) = ctx.watcher() {
                watcher.received(E::NAME);
            }
            let event = event
                .downcast::<E>()
                .expect("a waiter is handed an event of the type it waits for");
            if let (Some(answers), Some(position)) = (answers, &position) {
                answers.answered(position, &event);
            }
            Ok(event)
        })
    }
}

/// A wait under way in the run's inbox; ending it any way, answered or not,
/// takes it out of the inbox, with the record that it was handed an event
/// its step had not taken yet. (Dropped once the step has kept its answer.)
struct Waiting<'run, W: Workflow> {
    ctx: &'run Context<W>,
    id: u64,
    reply: oneshot::Receiver<Reply>,
}

impl<'run, W: Workflow> Waiting<'run, W> {
    /// Begins a wait of the step at index `step`, in the invocation `key`,
    /// its `nth` wait, for an `E` that `wants` accepts; `timed` if it has a
    /// timeout.
    fn begin<E: Event>(
        ctx: &'run Context<W>,
        (step, key, nth): (usize, usize, usize),
        timed: bool,
        wants: impl Fn(&E) -> bool + Send + 'static,
    ) -> Self {
        let (id, reply, run) = {
            let mut inbox = ctx.channel().inbox();
            let begun = inbox.wait_for(step, (key, nth), timed, wants);
            if begun.2.is_some() {
                inbox.flag_incoming();
            }
            begun
        };
        if let Some(run) = run {
            run.wake();
        }
        Self { ctx, id, reply }
    }

    /// What the run hands this wait.
    async fn reply(&mut self) -> Reply {
        (&mut self.reply)
            .await
            .expect("the inbox outlives the steps that wait on it")
    }

    /// Ends the wait, with what the run handed it just before, if anything.
    fn late(&mut self) -> Option<Reply> {
        self.reply.close();
        self.reply.try_recv().ok()
    }
}

impl<W: Workflow> Drop for Waiting<'_, W> {
    fn drop(&mut self) {
        self.ctx.channel().inbox().stop_waiting(self.id);
    }
}

impl<W: Workflow, const STEP: usize, E> fmt::Debug for WaitForEvent<'_, W, STEP, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForEvent")
            .field("step", &W::STEPS[STEP].name)
            .field("event", &std::any::type_name::<E>())
            .field("publishes", &self.publish.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What is left of a wait's timeout of `after`, counted from the deadline
/// recorded the first time this wait of the invocation began.
async fn time_left<W: Workflow>(
    ctx: &Context<W>,
    at: (&Answers, u32),
    after: Duration,
) -> Duration {
    let deadline = made_once(ctx, at, || {
        serde_json::to_value(SystemTime::now() + after).expect("a time is JSON")
    })
    .await;
    // A deadline that does not read (written by another build) counts the
    // whole timeout again.
    serde_json::from_value::<SystemTime>(deadline).map_or(after, |deadline| {
        deadline
            .duration_since(SystemTime::now())
            .unwrap_or_default()
    })
}
