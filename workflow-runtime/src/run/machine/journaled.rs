//! The state machine's side of a durable run: when it writes a record, and
//! what waits for one (see [`durable`](crate::durable)).

use std::task::{Context as TaskContext, Poll};

use workflow_model::WorkflowError;

use super::Machine;
use crate::durable::Journaling;
use crate::run::deadline::Deadline;
use crate::workflow::Workflow;

impl<W: Workflow> Machine<'_, W> {
    /// Writes what changed since the last record, if it can, and says
    /// whether invocations may start: not while the record of what queued
    /// them is still to write or being written.
    pub(super) fn journal(
        &mut self,
        cx: &mut TaskContext<'_>,
        deadline: &Deadline,
    ) -> Result<bool, WorkflowError> {
        let ctx = self.steps.ctx;
        let journal = ctx.journal().expect("a journaled run has a journal");
        let Some(journaling) = self.journaling.as_deref_mut() else {
            return Ok(true);
        };
        match journaling.poll_written(cx, journal) {
            Poll::Pending => return Ok(false),
            Poll::Ready(written) => written?,
        }
        let snapshot_due = journaling.snapshot_due(journal);
        if !snapshot_due && !ctx.channel().has_tapped() {
            if !journaling.poll_lease_due(cx) {
                return Ok(true);
            }
            journaling.renew(journal);
            return match journaling.poll_written(cx, journal) {
                Poll::Pending => Ok(false),
                Poll::Ready(written) => written.map(|()| true),
            };
        }
        let snapshot = if snapshot_due {
            Some(
                self.capture(deadline.left())
                    .map_err(Journaling::unwritable)?,
            )
        } else {
            None
        };
        let journaling = self
            .journaling
            .as_deref_mut()
            .expect("checked above, and a capture keeps it");
        journaling.write(journal, ctx.channel(), snapshot)?;
        match journaling.poll_written(cx, journal) {
            Poll::Pending => Ok(false),
            Poll::Ready(written) => written.map(|()| true),
        }
    }

    /// Whether a durable run has a record to write and is not writing one:
    /// the run then goes round again, to write it, rather than wait.
    pub(super) fn journal_due(&self) -> bool {
        let ctx = self.steps.ctx;
        self.journaling.as_deref().is_some_and(|journaling| {
            let journal = ctx.journal().expect("a journaled run has a journal");
            !journaling.is_writing()
                && (journaling.snapshot_due(journal) || ctx.channel().has_tapped())
        })
    }

    /// Whether a durable run parks, now that it is idle: its caller let go
    /// of its handler, every invocation it has waits for input, without a
    /// timeout, and its last record, written, holds all it has. Its inbox
    /// is then closed, and its end writes it as parked. What it holds in
    /// memory is what that record holds: it goes on from the record when
    /// input comes, its invocations waiting again from their top with the
    /// answers and effects they had.
    pub(crate) fn parks(&mut self) -> bool {
        let ctx = self.steps.ctx;
        let channel = ctx.channel();
        let parks = self.journaling.is_some()
            && channel.caller_let_go()
            && self.is_idle()
            && !self.journal_due()
            && !self
                .journaling
                .as_deref()
                .is_some_and(Journaling::is_writing)
            && channel.close_to_park();
        if parks {
            self.journaling
                .as_deref_mut()
                .expect("checked above")
                .park();
        }
        parks
    }

    /// Notes, for a durable run, that the run changed since its last
    /// record.
    #[inline]
    pub(super) fn changed(&mut self) {
        if let Some(journaling) = self.journaling.as_deref_mut() {
            journaling.note_change();
        }
    }

    /// What writes a durable run's records, for its end.
    pub(crate) fn take_journaling(&mut self) -> Option<Box<Journaling>> {
        self.journaling.take()
    }
}
