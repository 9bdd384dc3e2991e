//! One step invocation as the run polls it: the step's future, with panics
//! caught and a tracing span entered on every poll, and watched for the
//! observer events if the run exposes them.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::observe::{self, Observer};
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

/// What an invocation ended with, tagged with its step's index and the
/// branch of a fan-out it was in.
pub(crate) type Finished<W> = (
    usize,
    <W as Workflow>::Branch,
    Result<<W as Workflow>::Produced, Failure>,
);

pub(crate) struct Invocation<'a, W: Workflow> {
    step: usize,
    branch: W::Branch,
    future: StepFuture<'a, W>,
    span: tracing::Span,
}

impl<'a, W: Workflow> Invocation<'a, W> {
    pub(crate) fn start(
        workflow: &'a W,
        ctx: &'a Context<W>,
        (step, branch): (usize, W::Branch),
        pending: W::Pending,
    ) -> Self {
        let info = &W::STEPS[step];
        let span = tracing::debug_span!("step", step = info.name, event = info.accepts.name);
        // `Span::in_scope` written out: the compiler does not always inline
        // it, and a call per invocation shows in the chain benchmark.
        let future = {
            let _entered = span.enter();
            workflow.invoke(ctx, pending)
        };
        Self {
            step,
            branch,
            future,
            span,
        }
    }

    /// Starts an invocation watched for the run's observer events (see
    /// [`observe::watch`]).
    #[cold]
    pub(crate) fn watched(
        workflow: &'a W,
        ctx: &'a Context<W>,
        observer: &'a Observer,
        at: (usize, W::Branch),
        pending: W::Pending,
    ) -> Self {
        let started = Self::start(workflow, ctx, at, pending);
        Self {
            future: observe::watch(ctx, observer, started.step, started.future),
            ..started
        }
    }
}

impl<W: Workflow> Future for Invocation<'_, W> {
    type Output = Finished<W>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Finished<W>> {
        let this = self.get_mut();
        let _entered = this.span.enter();
        match catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => {
                Poll::Ready((this.step, this.branch, result.map_err(Failure::Error)))
            }
            Err(payload) => Poll::Ready((
                this.step,
                this.branch,
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
