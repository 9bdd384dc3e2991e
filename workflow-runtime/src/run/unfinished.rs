//! The guard that says a run was cancelled when its task is dropped before
//! the run ended, even before the task first ran.

use workflow_model::{__private::terminal_event, WorkflowError};

use crate::context::Context;
use crate::run::spawned::Held;
use crate::workflow::Workflow;

/// A run's context, owned by its task from before the task first runs: if
/// the task is dropped before [`finished`](Self::finished), the run was
/// cancelled (perhaps before it began), and this says so on the stream
/// before the stream closes.
pub(crate) struct Unfinished<W: Workflow> {
    held: Held<W>,
    finished: bool,
}

impl<W: Workflow> Unfinished<W> {
    pub(crate) fn new(ctx: Context<W>) -> Self {
        Self {
            held: Held::new(ctx),
            finished: false,
        }
    }

    /// The run's context, as its task holds it.
    pub(crate) fn held(&self) -> &Held<W> {
        &self.held
    }

    /// The run's context.
    pub(crate) fn ctx(&self) -> &Context<W> {
        self.held.context()
    }

    /// The run has ended and published its last event.
    pub(crate) fn finished(&mut self) {
        self.finished = true;
    }
}

impl<W: Workflow> Drop for Unfinished<W> {
    fn drop(&mut self) {
        // The context, whose drop closes the stream, is dropped after this.
        if !self.finished {
            let ctx = self.ctx();
            ctx.publish_last(terminal_event(&WorkflowError::Cancelled));
            // A durable run that was cancelled, rather than left by a
            // runtime shutting down, says so in its store.
            if let Some(journal) = ctx.journal()
                && ctx.channel().cancelled()
            {
                journal.record_cancelled(ctx.channel());
            }
        }
    }
}
