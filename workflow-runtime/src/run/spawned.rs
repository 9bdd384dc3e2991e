//! Steps marked `#[step(spawn)]`: each invocation runs as a task of its own
//! on tokio's worker pool, so that CPU-bound steps of one run use every core.
//!
//! A spawned task owns what its step borrows: the workflow and the run's
//! context, through `Arc`s. The run holds the task's handle in the
//! invocation it polls, as it holds any step's future, so everything else
//! stays as it is for other steps: the step's number of workers, the branch
//! of a fan-out it belongs to, its retries and timeout (inside the task),
//! its panics (caught in the task, raised again in the run's, where the
//! invocation reports them), and cancellation: dropping the invocation
//! aborts the task.
//!
//! What such a step sends through its context is kept for the invocation,
//! in a task-local outbox, and handed to the run when the step finishes,
//! before what it returned; so its events are routed in its own branch and
//! order, however the tasks of a run interleave. What it writes to the
//! stream goes there at once, and the step waits for the reader before each
//! poll as the run does when its stream is full. If a report of the run follows steps, what
//! the step sends, writes and receives is noted in the task too, and handed
//! over with its outcome.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use futures_util::FutureExt;
use tokio::task::JoinHandle;
use tracing::Instrument;
use workflow_model::StepInfo;

use crate::answers::Answers;
use crate::context::{Context, Outbox};
use crate::report::watch::Noted;
use crate::workflow::{StepFuture, Workflow};

tokio::task_local! {
    /// What the spawned invocation whose task this is has sent and noted.
    static INVOCATION: Local;
}

/// What a spawned invocation keeps for the run until it finishes.
struct Local {
    /// The `Outbox` of the run's workflow, until the invocation finishes.
    outbox: RefCell<Option<Box<dyn Any + Send>>>,
    /// What the run's watcher would have noted in the run's task.
    noted: RefCell<Noted>,
}

/// Whether a step of `steps` is spawned.
pub(crate) const fn any_spawned(steps: &[StepInfo]) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if steps[i].spawn {
            return true;
        }
        i += 1;
    }
    false
}

/// A run's context where the run's task keeps it: shared through an `Arc`
/// if a step of the workflow is spawned, whose tasks then hold it too; in
/// place otherwise, which saves the run an allocation.
pub(crate) enum Held<W: Workflow> {
    InPlace(Context<W>),
    Shared(Arc<Context<W>>),
}

impl<W: Workflow> Held<W> {
    pub(crate) fn new(ctx: Context<W>) -> Self {
        if const { any_spawned(W::STEPS) } {
            Self::Shared(Arc::new(ctx))
        } else {
            Self::InPlace(ctx)
        }
    }

    pub(crate) fn context(&self) -> &Context<W> {
        match self {
            Self::InPlace(ctx) => ctx,
            Self::Shared(ctx) => ctx,
        }
    }

    /// The `Arc` that spawned steps take, if the workflow has any.
    pub(crate) fn shared(&self) -> Option<&Arc<Context<W>>> {
        match self {
            Self::InPlace(_) => None,
            Self::Shared(ctx) => Some(ctx),
        }
    }
}

/// The future of an invocation of a spawned step with `pending`: on its
/// first poll, it spawns the step's task (within the current span, the
/// step's), and then waits for it.
pub fn invoke<'a, W>(
    workflow: &Arc<W>,
    ctx: &'a Arc<Context<W>>,
    pending: W::Pending,
    answers: Option<Arc<Answers>>,
) -> StepFuture<'a, W>
where
    W: Workflow,
    W::Produced: Send,
{
    let (workflow, shared) = (workflow.clone(), ctx.clone());
    let span = tracing::Span::current();
    let local = Local {
        outbox: RefCell::new(Some(Box::new(Outbox::<W>::default()))),
        noted: RefCell::default(),
    };
    Box::pin(async move {
        let task = INVOCATION.scope(local, async move {
            let step = Paced {
                ctx: &shared,
                future: workflow.invoke(&shared, pending, answers),
            };
            let outcome = AssertUnwindSafe(step).catch_unwind().await;
            let (outbox, noted) =
                INVOCATION.with(|local| (local.outbox.take(), local.noted.take()));
            (outcome, outbox, noted)
        });
        let (outcome, outbox, noted) = Aborting(tokio::spawn(task.instrument(span))).await;
        let outbox = outbox
            .and_then(|outbox| outbox.downcast::<Outbox<W>>().ok())
            .expect("a spawned invocation's outbox is of its workflow");
        ctx.hand_over(*outbox);
        if let Some(watcher) = ctx.watcher() {
            watcher.absorb(noted);
        }
        outcome.unwrap_or_else(|payload| resume_unwind(payload))
    })
}

/// Calls `send` with the outbox of the spawned invocation whose task this is.
///
/// # Panics
///
/// Outside the task of a spawned invocation of a step of `W`.
pub(crate) fn with_outbox<W: Workflow, R>(send: impl FnOnce(&mut Outbox<W>) -> R) -> R {
    INVOCATION.with(|local| {
        let mut outbox = local.outbox.borrow_mut();
        let outbox = outbox
            .as_mut()
            .and_then(|outbox| outbox.downcast_mut::<Outbox<W>>())
            .expect("a spawned invocation's outbox is of its workflow");
        send(outbox)
    })
}

/// Calls `note` with what the spawned invocation whose task this is has
/// noted for the reports that follow steps; says whether this is such a task.
pub(crate) fn note(note: impl FnOnce(&mut Noted)) -> bool {
    INVOCATION
        .try_with(|local| note(&mut local.noted.borrow_mut()))
        .is_ok()
}

/// A spawned step's future, polled only while the run's stream has room,
/// as the run polls the steps of its own task (see
/// [`WhenFull::Wait`](crate::WhenFull::Wait)).
struct Paced<'a, W: Workflow> {
    ctx: &'a Context<W>,
    future: StepFuture<'a, W>,
}

impl<W: Workflow> Future for Paced<'_, W> {
    type Output = anyhow::Result<W::Produced>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        if self.ctx.channel().poll_room(cx).is_pending() {
            return Poll::Pending;
        }
        self.future.as_mut().poll(cx)
    }
}

/// A spawned task's handle that aborts the task when dropped: the run that
/// drops an invocation, as it ends or is cancelled, leaves no task behind.
struct Aborting<T>(JoinHandle<T>);

impl<T> Future for Aborting<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|joined| match joined {
            Ok(output) => output,
            // The step's own panics are caught in the task; this one came
            // from dropping its future, and is raised again for the
            // invocation to catch.
            Err(error) if error.is_panic() => resume_unwind(error.into_panic()),
            Err(_) => panic!(
                "the task of a spawned step was cancelled from outside its run: its runtime is shutting down"
            ),
        })
    }
}

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
