//! One step invocation as the run polls it: the step's future, with panics
//! caught and a tracing span entered on every poll, and watched if a report
//! of the run follows steps.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};

use crate::answers::Answers;
use crate::context::Context;
use crate::report::watch::{self, Watcher};
use crate::run::spawned::{self, Held};
use crate::workflow::{StepFuture, Workflow};

/// How an invocation ended without producing anything.
pub(crate) enum Failure {
    Error(anyhow::Error),
    Panic(String),
}

impl fmt::Display for Failure {
    /// The error's `Display`, or the panic's message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(source) => fmt::Display::fmt(source, f),
            Self::Panic(message) => f.write_str(message),
        }
    }
}

/// What an invocation ended with, tagged with its step's index, the branch
/// of a fan-out it was in, and the name of the event type it was invoked
/// with.
pub(crate) type Finished<W> = (
    usize,
    <W as Workflow>::Branch,
    &'static str,
    Result<<W as Workflow>::Produced, Failure>,
);

pub(crate) struct Invocation<'a, W: Workflow> {
    /// The step's index, and which of its accepted events it was invoked
    /// with; in two halves of a word, as a run may hold many invocations.
    step: u32,
    accepted: u32,
    branch: W::Branch,
    /// A copy of the invocation's input, for a snapshot taken while it is
    /// in flight.
    input: W::Pending,
    /// What it received and which attempt it is on, shared with its future.
    answers: Option<Arc<Answers>>,
    future: StepFuture<'a, W>,
    /// The step's span in the run, if a subscriber enables it.
    span: Option<&'a tracing::Span>,
}

/// What a run invokes its steps with: its workflow and its context, the
/// context's `Arc` if a step is spawned (see [`spawned`]), and the run's
/// `step` spans.
pub(crate) struct Steps<'a, W: Workflow> {
    pub(crate) workflow: &'a Arc<W>,
    pub(crate) ctx: &'a Context<W>,
    pub(crate) shared: Option<&'a Arc<Context<W>>>,
    spans: &'a StepSpans,
}

/// The `step` spans of one run: one for each step and event it accepts,
/// made the first time the step is invoked with that event, and entered by
/// every invocation of it after. A span costs its subscriber far more to
/// make and close (a `fmt` layer formats its fields then) than to enter,
/// and a run may invoke a step many times. The table is allocated once a
/// subscriber enables the spans; until then a run pays a few words for it.
#[derive(Default)]
pub(crate) struct StepSpans(OnceLock<Box<[OnceLock<tracing::Span>]>>);

impl StepSpans {
    /// The span of the step at index `step` invoked with the event it
    /// accepts at index `accepted`; `None` if no subscriber enables it.
    fn get<W: Workflow>(&self, step: usize, accepted: usize) -> Option<&tracing::Span> {
        // The spans of the steps before this one come first; counted only
        // once a subscriber has enabled a span.
        let slot = || {
            W::STEPS[..step]
                .iter()
                .map(|info| info.accepts.len())
                .sum::<usize>()
                + accepted
        };
        if let Some(span) = self.0.get().and_then(|spans| spans[slot()].get()) {
            return Some(span);
        }
        let info = &W::STEPS[step];
        let span = tracing::debug_span!("step", step = info.name, event = tracing::field::Empty);
        if span.is_disabled() {
            return None;
        }
        // Which event only where the step says nothing of it: a subscriber
        // formats each field of every span it makes.
        if info.accepts.len() > 1 {
            span.record("event", info.accepts[accepted].name);
        }
        let spans = self.0.get_or_init(|| {
            let slots = W::STEPS.iter().map(|info| info.accepts.len()).sum();
            (0..slots).map(|_| OnceLock::new()).collect()
        });
        Some(spans[slot()].get_or_init(|| span))
    }
}

impl<'a, W: Workflow> Steps<'a, W> {
    pub(crate) fn new(workflow: &'a Arc<W>, held: &'a Held<W>, spans: &'a StepSpans) -> Self {
        Self {
            workflow,
            ctx: held.context(),
            shared: held.shared(),
            spans,
        }
    }

    /// The future of the step at index `step` with `pending`, in `span`.
    /// Only a spawned step's future is made inside the span, which its task
    /// takes; any other's does nothing until polled.
    fn invoke(
        &self,
        step: usize,
        pending: W::Pending,
        answers: Option<Arc<Answers>>,
        span: Option<&tracing::Span>,
    ) -> StepFuture<'a, W> {
        if const { spawned::any_spawned(W::STEPS) }
            && W::STEPS[step].spawn
            && let Some(shared) = self.shared
        {
            let _entered = span.map(tracing::Span::enter);
            return W::invoke_spawned(self.workflow, shared, pending, answers);
        }
        self.workflow.invoke(self.ctx, pending, answers)
    }
}

impl<'a, W: Workflow> Invocation<'a, W> {
    /// Starts the invocation of the step at index `step` with `pending`,
    /// with `resumed`, the record a snapshot held of it, if it was in
    /// flight there.
    pub(crate) fn start(
        steps: &Steps<'a, W>,
        (step, branch): (usize, W::Branch),
        pending: W::Pending,
        resumed: Option<Arc<Answers>>,
    ) -> Self {
        let accepted = W::accepted(&pending);
        let input = W::duplicate(&pending);
        let info = &W::STEPS[step];
        let keeps_record =
            !info.waits_for.is_empty() || info.retry.is_some() || steps.ctx.journal().is_some();
        let answers = resumed.or_else(|| keeps_record.then(Arc::default));
        let span = steps.spans.get::<W>(step, accepted);
        let future = steps.invoke(step, pending, answers.clone(), span);
        Self {
            step: step as u32,
            accepted: accepted as u32,
            branch,
            input,
            answers,
            future,
            span,
        }
    }

    /// Starts an invocation watched for the run's reports (see
    /// [`watch::watch`]).
    #[cold]
    pub(crate) fn watched(
        steps: &Steps<'a, W>,
        watcher: &'a Watcher,
        at: (usize, W::Branch),
        pending: W::Pending,
        resumed: Option<Arc<Answers>>,
    ) -> Self {
        let started = Self::start(steps, at, pending, resumed);
        Self {
            future: watch::watch(
                steps.ctx,
                watcher,
                (started.step as usize, started.event()),
                started.future,
            ),
            ..started
        }
    }
}

impl<W: Workflow> Invocation<'_, W> {
    /// What it was invoked with, in which branch, and its record of its
    /// attempt and answers, if its step waits for input or is retried.
    pub(crate) fn input(&self) -> (&W::Pending, W::Branch, Option<&Answers>) {
        (&self.input, self.branch, self.answers.as_deref())
    }

    /// The name of the event type it was invoked with.
    fn event(&self) -> &'static str {
        W::STEPS[self.step as usize].accepts[self.accepted as usize].name
    }
}

// The input is never pinned: only the boxed future is polled in place.
impl<W: Workflow> Unpin for Invocation<'_, W> {}

impl<W: Workflow> Future for Invocation<'_, W> {
    type Output = Finished<W>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Finished<W>> {
        let this = self.get_mut();
        let _entered = this.span.map(tracing::Span::enter);
        match catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready((
                this.step as usize,
                this.branch,
                this.event(),
                result.map_err(Failure::Error),
            )),
            Err(payload) => Poll::Ready((
                this.step as usize,
                this.branch,
                this.event(),
                Err(Failure::Panic(panic_message(&*payload))),
            )),
        }
    }
}

/// The message of a panic, as `panic!` formatted it.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a string".to_owned()
    }
}
