//! What a step sees of its run: [`Context`] and the per-step [`StepContext`].

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use workflow_model::{AnyEvent, Event, SendError};

use crate::answers::Answers;
use crate::attempts::{Attempt, Retrying};
use crate::collect::{Collecting, Collector, EventTuple};
use crate::durable::Journal;
use crate::emit::Emit;
use crate::report::watch::Watcher;
use crate::report::{Happening, Reports, RunReports};
use crate::run::spawned;
use crate::state::RunState;
use crate::stream::Publisher;
use crate::workflow::{Sink, Workflow};
use workflow_model::RunId;

/// The state one run shares among its steps: its id, the stream to the
/// caller, and the events steps have sent but the run has not routed yet.
///
/// Steps receive it as a [`StepContext`], which dereferences to this type; a
/// helper function that only writes to the stream can take `&Context<W>`.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Note {
///     text: String,
/// }
///
/// // A helper that any step of `Diary` can call with its context. What it
/// // writes is not checked against the step's `writes(...)`: declare it there
/// // anyway, so that the drawn graph shows it.
/// fn note(ctx: &Context<Diary>, text: &str) {
///     ctx.write_event_to_stream(Note { text: text.into() });
/// }
///
/// struct Diary;
///
/// #[workflow_impl]
/// impl Diary {
///     #[step(writes(Note))]
///     async fn write(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<()> {
///         note(ctx, "dear diary");
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Diary.runner().run(StartEvent::new());
/// let first = handler.stream_events()?.next().await.unwrap();
/// assert_eq!(first.downcast_ref::<Note>().unwrap().text, "dear diary");
/// handler.await?;
/// # Ok(())
/// # }
/// ```
pub struct Context<W: Workflow> {
    run_id: RunId,
    stream: Publisher,
    reports: RunReports,
    outbox: Mutex<Outbox<W>>,
    sent: AtomicBool,
    collector: Collector,
    state: RunState<W::State>,
    /// A durable run's journal; `None` for other runs.
    journal: Option<Box<Journal>>,
}

impl<W: Workflow> Context<W> {
    pub(crate) fn new(
        run_id: RunId,
        stream: Publisher,
        reports: Option<Arc<Reports>>,
        state: RunState<W::State>,
        journal: Option<Box<Journal>>,
    ) -> Self {
        Self {
            run_id,
            stream,
            reports: RunReports::new(reports),
            outbox: Mutex::default(),
            sent: AtomicBool::new(false),
            collector: Collector::default(),
            state,
            journal,
        }
    }

    /// The run's journal, if the run is durable.
    #[inline]
    pub(crate) fn journal(&self) -> Option<&Journal> {
        self.journal.as_deref()
    }

    /// Calls `read` with the run's state (see [`State`](crate::State)), and returns what
    /// it returns.
    pub fn read_state<R>(&self, read: impl FnOnce(&W::State) -> R) -> R {
        read(&self.state.lock())
    }

    /// Calls `edit` with the run's state, which no other step sees or
    /// changes until `edit` returns, and returns what it returns. The
    /// closure cannot `.await`, so no step holds the state while it waits.
    ///
    /// ```
    /// # use typed_workflows::prelude::*;
    /// #[data]
    /// #[derive(Debug, Default)]
    /// struct Seen { events: u32 }
    ///
    /// struct Count;
    ///
    /// #[workflow_impl(state = Seen)]
    /// impl Count {
    ///     #[step]
    ///     async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
    ///         let seen = ctx.edit_state(|seen| {
    ///             seen.events += 1;
    ///             seen.events
    ///         });
    ///         StopEvent::new(seen)
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() { assert_eq!(Count.runner().run(StartEvent::new()).await.unwrap(), 1); }
    /// ```
    pub fn edit_state<R>(&self, edit: impl FnOnce(&mut W::State) -> R) -> R {
        edit(&mut self.state.lock())
    }

    /// The id of this run.
    pub fn run_id(&self) -> RunId {
        self.run_id
    }

    /// Publishes `event` on the caller's stream (see
    /// [`WorkflowHandler::stream_events`](crate::WorkflowHandler::stream_events)),
    /// after every event written before it. Never waits: the stream queues
    /// without bound, and drops events once the caller has dropped it. A
    /// runner may bound it ([`Runner::stream_capacity`](crate::Runner::stream_capacity)):
    /// then the oldest events make room, or the run waits for the reader at
    /// the step's next await point.
    ///
    /// In a step, `ctx.write_event_to_stream` is
    /// [`StepContext::write_event_to_stream`], which only compiles for the
    /// events the step declares in `#[step(writes(...))]`, so that the
    /// workflow's graph shows them. This method is for helpers that take
    /// `&Context<W>`: what they write is not checked, nor drawn.
    pub fn write_event_to_stream<E: Event>(&self, event: E) {
        if let Some(watcher) = self.watcher() {
            watcher.wrote(E::NAME);
        }
        self.publish(AnyEvent::new(event));
    }

    /// Waits while the run's event stream is full, if the runner bounded
    /// it with [`WhenFull::Wait`](crate::WhenFull::Wait): until the reader
    /// has taken half of what it holds. Returns at once otherwise.
    ///
    /// The run itself waits for the reader between its steps' polls; a step
    /// that writes many events in one go awaits this between them, so that
    /// the stream holds no more than its capacity. See
    /// [`Runner::stream_capacity`](crate::Runner::stream_capacity).
    pub async fn wait_for_stream_room(&self) {
        std::future::poll_fn(|cx| self.stream.poll_room(cx)).await;
    }

    pub(crate) fn publish(&self, event: AnyEvent) {
        self.stream.publish(event);
    }

    /// Publishes the run's last event, which ends the stream.
    pub(crate) fn publish_last(&self, event: AnyEvent) {
        self.stream.publish_last(event);
    }

    /// The run's channel to and from its caller.
    pub(crate) fn channel(&self) -> &Publisher {
        &self.stream
    }

    /// Routes an event the caller sent to the steps that accept it, or to
    /// the step at index `to` alone, as if a step had sent it.
    pub(crate) fn route_sent_by_caller<E: Event>(&self, event: E, to: Option<usize>) {
        self.send_routed(|outbox| match to {
            None => W::deliver(event, outbox),
            Some(step) => {
                if W::deliver_to(step, event, outbox).is_err() {
                    unreachable!("an event is sent to a step only if it accepts its type");
                }
            }
        });
    }

    /// Queues an invocation of the step at index `step` with `event`, one of
    /// the types it takes, as if the caller had sent it: how the events of
    /// a snapshot's inbox reach steps, known by name only.
    pub(crate) fn invoke_sent(&self, step: usize, event: AnyEvent) {
        let pending = W::WRAP[step](&mut *event.into_slot());
        self.send_routed(|outbox| outbox.enqueue(step, pending));
    }

    /// The state, for a snapshot.
    pub(crate) fn state(&self) -> &RunState<W::State> {
        &self.state
    }

    /// The buffers of `collect_events` and `collect_each`.
    pub(crate) fn collector(&self) -> &Collector {
        &self.collector
    }

    /// What the run records for the reports that follow its steps, if one
    /// does.
    #[inline]
    pub(crate) fn watcher(&self) -> Option<&Watcher> {
        self.reports.watcher()
    }

    /// Tells the run's reports `happening`.
    pub(crate) fn report(&self, happening: &Happening<'_>) {
        self.reports
            .tell((self.run_id, W::NAME, &self.stream), happening);
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox<W>> {
        // Routing into the outbox cannot panic halfway, so a poisoned lock
        // still holds consistent data.
        self.outbox
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Takes the events sent since the last call, in the order sent.
    pub(crate) fn take_sent(&self) -> Option<Vec<Routed<W>>> {
        // Called after every step; a plain load keeps the common case (the
        // step sent nothing) free of a read-modify-write.
        if !self.sent.load(Ordering::Acquire) || !self.sent.swap(false, Ordering::Acquire) {
            return None;
        }
        Some(std::mem::take(&mut self.outbox().routed))
    }

    /// Drops the events steps sent that the run has not routed, and those
    /// `collect_events` holds: what an ended run leaves.
    pub(crate) fn discard_unrouted(&self) {
        let unrouted = std::mem::take(&mut self.outbox().routed);
        drop(unrouted);
        self.collector.clear();
    }

    /// Routes what a step sends: invocations and stop events wait in the
    /// outbox for the run; outbound events go to the stream at once, in
    /// order with what the step writes there.
    fn send_routed(&self, route: impl FnOnce(&mut SendSink<'_, W>)) {
        self.route_into(&mut self.outbox(), route);
        self.sent.store(true, Ordering::Release);
    }

    /// Routes what a step sends into `outbox`, as [`send_routed`](Self::send_routed)
    /// does into the run's.
    fn route_into(&self, outbox: &mut Outbox<W>, route: impl FnOnce(&mut SendSink<'_, W>)) {
        route(&mut SendSink {
            outbox,
            stream: &self.stream,
        });
    }

    /// Queues for the run what a spawned invocation sent, in the order sent,
    /// after what is queued already.
    pub(crate) fn hand_over(&self, sent: Outbox<W>) {
        if sent.routed.is_empty() {
            return;
        }
        self.outbox().routed.extend(sent.routed);
        self.sent.store(true, Ordering::Release);
    }
}

impl<W: Workflow> fmt::Debug for Context<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("workflow", &W::NAME)
            .field("run_id", &self.run_id)
            .finish_non_exhaustive()
    }
}

/// The context of one step: everything of [`Context`] (through `Deref`), and
/// the operations checked against the step's declaration.
///
/// In a step, write the parameter as `ctx: &Context<Self>`; `workflow!` gives
/// each step its own `StepContext`, which is how the compiler knows that
/// [`send_event`](Self::send_event) only sends what the step declares in
/// `#[step(sends(...))]`.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// struct Polite;
///
/// #[workflow_impl]
/// impl Polite {
///     #[step]
///     async fn hello(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<String> {
///         StopEvent::new(format!("{}, attempt {}", ctx.step_name(), ctx.attempt()))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// assert_eq!(Polite.runner().run(StartEvent::new()).await?, "hello, attempt 1");
/// # Ok(())
/// # }
/// ```
pub struct StepContext<'run, W: Workflow, const STEP: usize> {
    ctx: &'run Context<W>,
    attempt: Attempt,
    /// What the invocation received from the caller and the results of its
    /// effects, if the run keeps a record of them: for a step that waits
    /// for input or is retried, and every step of a durable run.
    answers: Option<&'run Answers>,
}

impl<'run, W: Workflow, const STEP: usize> StepContext<'run, W, STEP> {
    /// The context of `attempt` of an invocation, which keeps what the
    /// invocation received and the results of its effects in `answers`, if
    /// the run gave it a record.
    #[doc(hidden)]
    pub fn of_invocation(
        ctx: &'run Context<W>,
        attempt: Attempt,
        answers: Option<&'run Answers>,
    ) -> Self {
        Self {
            ctx,
            attempt,
            answers,
        }
    }

    /// What the invocation received from the caller, if the step waits for
    /// input.
    pub(crate) fn answers(&self) -> Option<&'run Answers> {
        self.answers
    }

    /// The context of attempt `number`, without what the attempts before
    /// it ended with.
    #[doc(hidden)]
    pub fn of_attempt(ctx: &'run Context<W>, number: u32) -> Self {
        let attempt = Attempt {
            number,
            retrying: None,
        };
        Self::of_invocation(ctx, attempt, None)
    }

    /// The run's context, with the lifetime of the run.
    pub(crate) fn context(&self) -> &'run Context<W> {
        self.ctx
    }

    /// Which attempt of this invocation is running: 1, then 2 for the
    /// first retry under `#[step(retry = ...)]`, and so on.
    pub fn attempt(&self) -> u32 {
        self.attempt.number
    }

    /// From the second attempt on under `#[step(retry = ...)]`, what the
    /// attempts before this one ended with: each one's error and when it
    /// failed, and how long ago the first began (see [`Retrying`]). `None`
    /// on the first attempt.
    pub fn retrying(&self) -> Option<&Retrying> {
        self.attempt.retrying.as_deref()
    }

    /// The name of the step this context belongs to.
    pub fn step_name(&self) -> &'static str {
        W::STEPS[STEP].name
    }

    /// Sends `event` to every step that accepts its type, as if this step had
    /// returned it. Call it any number of times, for fan-out.
    ///
    /// The step must declare the type in `#[step(sends(E))]`; sending an
    /// undeclared type, or a type no step accepts, does not compile.
    pub fn send_event<E>(&self, event: E)
    where
        E: Event + SentBy<W, STEP>,
    {
        self.note_sent::<E>();
        self.send_routed(|outbox| W::deliver(event, outbox));
    }

    /// Publishes `event` on the caller's stream, as
    /// [`Context::write_event_to_stream`] does.
    ///
    /// The step must declare the type in `#[step(writes(E))]`, which puts it
    /// in the workflow's graph; writing an undeclared type does not compile.
    ///
    /// ```
    /// # use typed_workflows::prelude::*;
    /// #[event]
    /// struct Progress { percent: u8 }
    ///
    /// struct Download;
    ///
    /// #[workflow_impl]
    /// impl Download {
    ///     #[step(writes(Progress))]
    ///     async fn fetch(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<()> {
    ///         for percent in [50, 100] {
    ///             ctx.write_event_to_stream(Progress { percent });
    ///         }
    ///         StopEvent::new(())
    ///     }
    /// }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Download.runner().run(StartEvent::new());
    /// let mut events = handler.stream_events()?;
    /// let mut seen = Vec::new();
    /// while let Some(event) = events.next().await {
    ///     if let Some(progress) = event.downcast_ref::<Progress>() {
    ///         seen.push(progress.percent);
    ///     }
    /// }
    /// handler.await?;
    /// assert_eq!(seen, [50, 100]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_event_to_stream<E>(&self, event: E)
    where
        E: Event + WrittenBy<W, STEP>,
    {
        self.ctx.write_event_to_stream(event);
    }

    /// Sends `event` to the step named `step` alone.
    ///
    /// # Errors
    ///
    /// [`SendError::UnknownStep`] if the workflow has no step of that name,
    /// [`SendError::NotAccepted`] if that step accepts another event type.
    pub fn send_event_to<E>(&self, step: &str, event: E) -> Result<(), SendError>
    where
        E: Event + SentBy<W, STEP>,
    {
        let index = step_index::<W>(step, E::NAME)?;
        let mut refused = None;
        self.send_routed(|outbox| {
            refused = W::deliver_to(index, event, outbox).err();
        });
        if refused.is_some() {
            return Err(SendError::NotAccepted {
                step: W::STEPS[index].name,
                event: E::NAME,
                accepts: W::STEPS[index]
                    .accepts
                    .iter()
                    .map(|event| event.name)
                    .collect(),
            });
        }
        self.note_sent::<E>();
        Ok(())
    }

    /// Gathers events of type `E` across invocations of this step: returns
    /// `None` until `count` events have arrived, this one included, then
    /// the `count` oldest in arrival order; any beyond them (if the count
    /// asked for shrinks) stay for the next call. A `count` of 0 asks for
    /// nothing: it returns `Some` of no event at once, drops `event` rather
    /// than keeping it for a later call, and leaves the events collected
    /// so far as they are. Each call costs amortised O(1).
    ///
    /// ```
    /// # use typed_workflows::prelude::*;
    /// # #[event]
    /// # struct Answer { n: u32 }
    /// # struct Fan;
    /// # #[workflow_impl]
    /// # impl Fan {
    /// #     #[step(sends(Answer))]
    /// #     async fn fan_out(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
    /// #         for n in 0..3 { ctx.send_event(Answer { n }); }
    /// #         Ok(())
    /// #     }
    /// #[step]
    /// async fn fan_in(&self, ctx: &Context<Self>, ev: Answer) -> Result<Option<StopEvent<u32>>> {
    ///     let Some(answers) = ctx.collect_events(ev, 3) else {
    ///         return Ok(None);
    ///     };
    ///     Ok(Some(StopEvent::new(answers.iter().map(|a| a.n).sum())))
    /// }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() { assert_eq!(Fan.runner().run(StartEvent::new()).await.unwrap(), 3); }
    /// ```
    pub fn collect_events<E: Event>(&self, event: E, count: usize) -> Option<Vec<E>> {
        self.ctx.collector.collect(STEP, event, count)
    }

    /// Gathers one event of each type of the tuple `S` across invocations
    /// of this step, as LlamaIndex's `collect_events(ev, [A, B])`: returns
    /// `None` until one of each has arrived, then the oldest of each, in
    /// the tuple's order, typed. A type listed twice takes two events of
    /// it. `events` is what this invocation adds: an event of one of the
    /// types, or the step's `#[derive(OneOf)]` enum of several (or an
    /// `Option` or a `Vec` of those). This step's events of a type are
    /// kept in one buffer, which [`collect_events`](Self::collect_events)
    /// takes from too. Each call costs O(1) for a tuple of a given size.
    ///
    /// ```
    /// # use typed_workflows::prelude::*;
    /// #[event]
    /// struct Query { text: String }
    ///
    /// #[event]
    /// struct Retrieved { nodes: Vec<String> }
    ///
    /// // One of the two, as a step that accepts either would take it.
    /// #[data]
    /// #[derive(Debug, Clone, OneOf)]
    /// enum Piece { Query(Query), Retrieved(Retrieved) }
    ///
    /// #[event]
    /// struct Part { piece: Piece }
    ///
    /// struct Rag;
    ///
    /// #[workflow_impl]
    /// impl Rag {
    ///     #[step(sends(Part))]
    ///     async fn start(&self, ctx: &Context<Self>, _ev: StartEvent) {
    ///         let nodes = vec!["Moby-Dick".to_owned()];
    ///         ctx.send_event(Part { piece: Retrieved { nodes }.into() });
    ///         ctx.send_event(Part { piece: Query { text: "whales?".into() }.into() });
    ///     }
    ///
    ///     #[step]
    ///     async fn synthesize(&self, ctx: &Context<Self>, part: Part) -> Option<StopEvent<String>> {
    ///         // In the order listed, whatever the order they came in.
    ///         let (query, retrieved) = ctx.collect_each::<(Query, Retrieved)>(part.piece)?;
    ///         Some(StopEvent::new(format!("{}: {}", query.text, retrieved.nodes.join(", "))))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// assert_eq!(Rag.runner().run(StartEvent::new()).await?, "whales?: Moby-Dick");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If `events` holds an event of a type `S` does not list.
    pub fn collect_each<S: EventTuple>(&self, events: impl Emit) -> Option<S> {
        self.ctx.collector.collect_each(STEP, |gathered| {
            events.emit::<W, _>(&mut Collecting::<S> {
                gathered,
                step: W::STEPS[STEP].name,
                tuple: PhantomData,
            });
        })
    }

    /// Routes what this step sends: into the run's outbox, or into the
    /// invocation's own if the step is spawned (see `run::spawned`).
    fn send_routed(&self, route: impl FnOnce(&mut SendSink<'_, W>)) {
        if const { W::STEPS[STEP].spawn } {
            spawned::with_outbox(|outbox| self.ctx.route_into(outbox, route));
        } else {
            self.ctx.send_routed(route);
        }
    }

    /// Notes a sent event for the reports that follow steps.
    fn note_sent<E: Event>(&self) {
        if let Some(watcher) = self.ctx.watcher() {
            watcher.sent(E::NAME);
        }
    }
}

impl<W: Workflow, const STEP: usize> Deref for StepContext<'_, W, STEP> {
    type Target = Context<W>;

    fn deref(&self) -> &Context<W> {
        self.ctx
    }
}

impl<W: Workflow, const STEP: usize> fmt::Debug for StepContext<'_, W, STEP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepContext")
            .field("step", &self.step_name())
            .field("attempt", &self.attempt.number)
            .field("retrying", &self.retrying())
            .field("context", self.ctx)
            .finish()
    }
}

/// The index of the step of `W` named `step`, to which an `event` is sent.
pub(crate) fn step_index<W: Workflow>(step: &str, event: &'static str) -> Result<usize, SendError> {
    W::STEPS
        .iter()
        .position(|info| info.name == step)
        .ok_or_else(|| SendError::UnknownStep {
            step: step.to_owned(),
            event,
            known: W::STEPS.iter().map(|info| info.name).collect(),
        })
}

/// Implemented by `workflow!` for each event type a step of `W` declares in
/// `#[step(sends(...))]`; `STEP` is the step's index. The event is `Self`,
/// so that the compiler names it in the error, which it could not yet do
/// for a bound on `W` while inferring the event's type. `REPEAT` is not 0
/// for a declaration that repeats an earlier one of the step, perhaps under
/// another spelling (an alias): its impl then differs from the first's, so
/// the two do not conflict.
#[diagnostic::on_unimplemented(
    message = "this step sends `{Self}` without declaring it",
    label = "`{Self}` is not in this step's `#[step(sends(...))]`",
    note = "add it to the step's attribute, like `#[step(sends({Self}))]`, so that the compiler can check that some step accepts it"
)]
pub trait SentBy<W, const STEP: usize, const REPEAT: usize = 0> {}

/// Implemented by `workflow!` for each event type a step of `W` declares in
/// `#[step(writes(...))]`; `STEP` is the step's index. As [`SentBy`], the
/// event is `Self` so that the compiler names it in the error, and `REPEAT`
/// tells a repeated declaration apart.
#[diagnostic::on_unimplemented(
    message = "this step writes `{Self}` to the event stream without declaring it",
    label = "`{Self}` is not in this step's `#[step(writes(...))]`",
    note = "add it to the step's attribute, like `#[step(writes({Self}))]`, so that the workflow's graph shows it"
)]
pub trait WrittenBy<W, const STEP: usize, const REPEAT: usize = 0> {}

/// Events sent through a context, waiting for the run to route them.
pub(crate) struct Outbox<W: Workflow> {
    routed: Vec<Routed<W>>,
}

impl<W: Workflow> Default for Outbox<W> {
    fn default() -> Self {
        Self { routed: Vec::new() }
    }
}

/// One routing decision taken while a step was running.
pub(crate) enum Routed<W: Workflow> {
    Invoke(usize, W::Pending),
    Stop(W::Stop),
    /// A sent event for the steps that gather its type.
    Gather(&'static str, AnyEvent),
}

/// Where [`StepContext::send_event`] routes to.
struct SendSink<'a, W: Workflow> {
    outbox: &'a mut Outbox<W>,
    stream: &'a Publisher,
}

impl<W: Workflow> Sink<W> for SendSink<'_, W> {
    fn enqueue(&mut self, step: usize, pending: W::Pending) {
        self.outbox.routed.push(Routed::Invoke(step, pending));
    }

    fn stop(&mut self, stop: W::Stop) {
        self.outbox.routed.push(Routed::Stop(stop));
    }

    fn fan_out<T: Emit>(&mut self, _items: Vec<T>) {
        unreachable!("a step sends events one at a time: only what it returns fans out")
    }

    fn gather(&mut self, key: &'static str, event: AnyEvent) {
        self.outbox.routed.push(Routed::Gather(key, event));
    }

    fn outbound(&mut self, event: AnyEvent) {
        self.stream.publish(event);
    }
}
