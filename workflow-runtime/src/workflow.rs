//! The [`Workflow`] trait that `workflow!` implements, and what it says about
//! each step.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::answers::Answers;
use crate::context::Context;
use crate::emit::Emit;
use crate::event::{AnyEvent, Event, EventInfo};
use crate::handler::WorkflowHandler;
use crate::retry::RetryPolicy;
use crate::run::Runner;
use crate::run::fan::BranchTag;
use crate::start::StartEventType;
use crate::state::WorkflowState;
use crate::stop::StopEventType;

/// A set of steps that react to events, as `workflow!` (or `#[workflow_impl]`)
/// builds it from an `impl` block. Never implemented by hand.
///
/// Run one with [`Workflow::run`], or through [`Workflow::runner`] with
/// settings of its own:
///
/// ```
/// use typed_workflows::prelude::*;
///
/// struct Echo;
///
/// #[workflow_impl]
/// impl Echo {
///     #[step]
///     async fn echo(&self, start: StartEvent) -> Result<StopEvent<String>> {
///         Ok(StopEvent::new(start.get("text")?))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let result = Echo.run(StartEvent::new().with("text", "hi")).await?;
/// assert_eq!(result, "hi");
/// let runner = Echo.runner().timeout(std::time::Duration::from_secs(5));
/// assert_eq!(runner.run(StartEvent::new().with("text", "ho")).await?, "ho");
/// assert_eq!(Echo::STEPS[0].name, "echo");
/// # Ok(())
/// # }
/// ```
pub trait Workflow: Sized + Send + Sync + 'static {
    /// The workflow's name: its type's name.
    const NAME: &'static str;

    /// Its steps, in the order they are written.
    const STEPS: &'static [StepInfo];

    /// The state each run carries (see [`State`](crate::State)): `()` unless
    /// the workflow declares one with `#[workflow_impl(state = S)]`.
    type State: WorkflowState;

    /// The event that begins a run.
    type Start: StartEventType;

    /// The event that ends a run; its output is what the run yields.
    type Stop: StopEventType;

    /// One queued invocation: a step index's input event.
    #[doc(hidden)]
    type Pending: Send + 'static;

    /// What a run keeps with each invocation: its branch of a fan-out if a
    /// step fans out, nothing otherwise.
    #[doc(hidden)]
    type Branch: BranchTag;

    /// One finished invocation: what a step returned, before routing. Never
    /// held across an await, so it need not be `Send`; a workflow with a
    /// spawned step, whose task hands it to the run's, has it `Send` (see
    /// [`invoke_spawned`](Self::invoke_spawned)).
    #[doc(hidden)]
    type Produced: 'static;

    /// Makes each step's queued invocation from its event, which the slot
    /// holds as an `Option` of the type the step takes.
    #[doc(hidden)]
    const WRAP: &'static [fn(&mut dyn Any) -> Self::Pending];

    /// Routes `event` to every step that accepts its type, or ends the run
    /// with it, or lets it out to the stream.
    #[doc(hidden)]
    #[inline(always)]
    fn deliver<E: Event, S: Sink<Self>>(event: E, sink: &mut S) {
        crate::route::broadcast::<Self, E, S>(event, sink);
    }

    /// Routes `event` to the step at index `step` only; gives it back if
    /// that step does not accept it.
    #[doc(hidden)]
    fn deliver_to<E: Event, S: Sink<Self>>(step: usize, event: E, sink: &mut S) -> Result<(), E> {
        crate::route::deliver_to::<Self, E, S>(step, event, sink)
    }

    /// Which of the event types its step accepts (in [`StepInfo::accepts`])
    /// `pending` carries: the one it takes, or that of the variant it holds
    /// of a `#[derive(OneOf)]` enum it takes.
    #[doc(hidden)]
    fn accepted(pending: &Self::Pending) -> usize;

    /// A copy of `pending`, kept while its invocation is in flight.
    #[doc(hidden)]
    fn duplicate(pending: &Self::Pending) -> Self::Pending;

    /// The index of the step `pending` is queued for, and the events it
    /// holds.
    #[doc(hidden)]
    fn pending_events(pending: &Self::Pending) -> (usize, Vec<AnyEvent>);

    /// Starts the step that `pending` is queued for, with the record of
    /// what the invocation received and which attempt it is on, for a step
    /// that waits for input or is retried.
    #[doc(hidden)]
    fn invoke<'a>(
        &'a self,
        ctx: &'a Context<Self>,
        pending: Self::Pending,
        answers: Option<Arc<Answers>>,
    ) -> StepFuture<'a, Self>;

    /// Starts the spawned step that `pending` is queued for, in a task of
    /// its own (`#[step(spawn)]`). Only a workflow with a spawned step asks
    /// for its `Produced` to be `Send`, so that no other sees an error
    /// about it.
    #[doc(hidden)]
    fn invoke_spawned<'a>(
        workflow: &Arc<Self>,
        ctx: &'a Arc<Context<Self>>,
        pending: Self::Pending,
        answers: Option<Arc<Answers>>,
    ) -> StepFuture<'a, Self>;

    /// The queued invocation of the step at index `step`, which takes a
    /// `Vec<E>`, with the `E`s a fan-out gathered.
    #[doc(hidden)]
    fn gather(step: usize, items: Vec<AnyEvent>) -> Self::Pending;

    /// Routes every event in what a step returned.
    #[doc(hidden)]
    fn route<S: Sink<Self>>(produced: Self::Produced, sink: &mut S);

    /// A [`Runner`] for this workflow with the default settings, whose
    /// options (a timeout, a bounded stream, a limit on concurrent runs...)
    /// change them, and which starts any number of runs.
    fn runner(self) -> Runner<Self> {
        Runner::new(self)
    }

    /// Starts one run with `start` and the default settings, as LlamaIndex's
    /// `w.run(...)` does: short for `self.runner().run(start)`, and returns
    /// the same [`WorkflowHandler`], to await for the result or to stream
    /// events from. Use [`runner`](Self::runner) for other settings or for
    /// several runs of one workflow value.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    ///
    /// struct Shout;
    ///
    /// #[workflow_impl]
    /// impl Shout {
    ///     #[step]
    ///     async fn shout(&self, start: StartEvent) -> Result<StopEvent<String>> {
    ///         Ok(StopEvent::new(start.get::<String>("text")?.to_uppercase()))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let result = Shout.run(StartEvent::new().with("text", "hi")).await?;
    /// assert_eq!(result, "HI");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The workflow's own methods named `run` come first where they take
    /// the receiver as written: a method `fn run(self, ..)` of the type
    /// itself is what `w.run(..)` calls, and so is a `&self` one (a step
    /// named `run`, say) when `w` is a reference, as `self` is inside the
    /// workflow's `impl` block. On a workflow value, `w.run(..)` is this
    /// method; `Workflow::run(w, start)` names it in every case.
    ///
    /// # Panics
    ///
    /// As [`Runner::run`]: outside a tokio runtime.
    fn run(self, start: Self::Start) -> WorkflowHandler<Self> {
        self.runner().run(start)
    }
}

/// What awaiting a run of `W` yields.
pub type Output<W> = <<W as Workflow>::Stop as StopEventType>::Output;

/// The future of one step invocation.
#[doc(hidden)]
pub type StepFuture<'a, W> =
    Pin<Box<dyn Future<Output = anyhow::Result<<W as Workflow>::Produced>> + Send + 'a>>;

/// Where routed events go: the run's state machine, or the outbox of events
/// that a step sends through its context.
#[doc(hidden)]
pub trait Sink<W: Workflow>: Sized {
    /// Routes `event` by its type.
    #[inline]
    fn deliver<E: Event>(&mut self, event: E) {
        W::deliver(event, self);
    }

    /// Queues an invocation of the step at index `step`.
    fn enqueue(&mut self, step: usize, pending: W::Pending);

    /// Ends the run with `stop`.
    fn stop(&mut self, stop: W::Stop);

    /// Publishes an event that no step accepts to the stream.
    fn outbound(&mut self, event: AnyEvent);

    /// Routes each of `items`, the events of a fan-out, each in a branch of
    /// its own.
    fn fan_out<T: Emit>(&mut self, items: Vec<T>);

    /// Keeps `event`, of the type keyed `key`, for the steps that gather
    /// that type from the branch being routed.
    fn gather(&mut self, key: &'static str, event: AnyEvent);
}

/// A step as the compile-time graph knows it.
#[derive(Debug, Clone, Copy)]
pub struct StepInfo {
    /// The method's name.
    pub name: &'static str,
    /// The event types it accepts: one, or each variant's of a
    /// `#[derive(OneOf)]` enum it takes.
    pub accepts: &'static [EventInfo],
    /// The event types it may return.
    pub returns: &'static [EventInfo],
    /// Whether it returns a `Vec` of events, one branch of a fan-out each.
    pub fans_out: bool,
    /// Whether it takes a `Vec` of the events it accepts, gathered from the
    /// branches of a fan-out once they have all finished.
    pub gathers: bool,
    /// The event types it declares with `#[step(sends(...))]`.
    pub sends: &'static [EventInfo],
    /// The event types it declares with `#[step(writes(...))]`, which go to
    /// the caller's event stream and to no step.
    pub writes: &'static [EventInfo],
    /// The input events it declares with `#[step(waits_for(...))]`, which
    /// it waits for from the run's caller.
    pub waits_for: &'static [EventInfo],
    /// How many of its invocations may run at once within one run.
    pub num_workers: usize,
    /// Whether each of its invocations runs as a task of its own on tokio's
    /// worker pool (`#[step(spawn)]`), rather than in the run's task.
    pub spawn: bool,
    /// How it is tried again after an error (`#[step(retry = ...)]`).
    pub retry: Option<RetryPolicy>,
    /// How long one attempt may take (`#[step(timeout = ...)]`).
    pub timeout: Option<Duration>,
    /// The steps whose failures it catches (`#[step(catches(...))]`).
    pub catches: &'static [&'static str],
    /// Whether it catches the failures of every step that no other step
    /// catches (`#[step(catches(*))]`), except the steps that catch
    /// failures.
    pub catches_all: bool,
    /// How many failures it may recover from in one run
    /// (`#[step(max_recoveries = N)]`, 1 unless set).
    pub max_recoveries: u32,
}

impl StepInfo {
    /// Whether the step catches the failures of other steps, named or all.
    pub const fn catches_failures(&self) -> bool {
        self.catches_all || !self.catches.is_empty()
    }
}
