//! What a run reports, as [`tracing`] events: warnings for what goes wrong,
//! and at `TRACE` each step's start and end.
//!
//! The events are emitted inside the run's span, `workflow` (with the
//! workflow's name and the run's id), and a step's inside its span, `step`
//! (at `DEBUG`, with the step's name, and the event's for a step that
//! accepts several; one span per step in a run, which each invocation of
//! the step enters); their target is this module's path.

use tracing::Level;

use super::{Happening, Report, RunView};
use workflow_model::WorkflowError;

/// Emits a tracing event for each happening, at its level.
pub(super) struct Tracer;

impl Report for Tracer {
    fn follows_steps(&self) -> bool {
        tracing::enabled!(Level::TRACE)
    }

    fn report(&self, _run: &RunView<'_>, happening: &Happening<'_>) {
        match happening {
            Happening::StepStarted(started) => {
                tracing::trace!(step = started.step, event = started.event, "step started");
            }
            Happening::StepFinished(finished) => tracing::trace!(
                step = finished.step,
                event = finished.event,
                duration = ?finished.duration,
                produced = ?finished.produced,
                "step finished"
            ),
            Happening::StepFailed(failed) => tracing::trace!(
                step = failed.step,
                event = failed.event,
                duration = ?failed.duration,
                error = failed.error,
                "step failed"
            ),
            Happening::RunIdle(idle) => {
                tracing::trace!(waiting = ?idle.waiting, "run waits for input");
            }
            Happening::Retrying {
                step,
                attempt,
                delay,
                error,
            } => tracing::info!(
                step,
                attempt,
                ?delay,
                error = %format_args!("{error:#}"),
                "step failed; trying again"
            ),
            Happening::Recovering {
                step,
                catcher,
                error,
            } => tracing::warn!(
                step,
                catcher,
                error,
                "step failed; its failure goes to the step that catches it"
            ),
            Happening::InputArrived { event } => {
                tracing::debug!(event, "the caller sent an event");
            }
            Happening::Ungathered { event } => tracing::warn!(
                event,
                "an event that steps only gather, from a fan-out, was produced outside any fan-out; it goes to the event stream"
            ),
            Happening::RunEnded(Ok(())) => tracing::debug!("run finished"),
            Happening::RunEnded(Err(WorkflowError::Suspended)) => {
                tracing::debug!("run suspended");
            }
            Happening::RunEnded(Err(error)) => {
                tracing::warn!(error = %error.with_causes(), "run failed");
            }
            Happening::InputUnclaimed { events } => tracing::warn!(
                unclaimed = events,
                "the run ended with events its caller sent that no step took"
            ),
        }
    }
}
