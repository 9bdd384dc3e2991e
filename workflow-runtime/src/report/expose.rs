//! The observer events of [`Runner::expose_internal`](crate::Runner::expose_internal):
//! what a run reports of its steps, published on its own stream.

use workflow_model::AnyEvent;

use super::{Happening, Report, RunView};

/// Publishes each step's start and end, and the run's idle moments, on the
/// run's stream (see [`observe`](crate::observe)).
pub(super) struct Exposer;

impl Report for Exposer {
    fn follows_steps(&self) -> bool {
        true
    }

    fn report(&self, run: &RunView<'_>, happening: &Happening<'_>) {
        let event = match happening {
            Happening::StepStarted(started) => AnyEvent::new((*started).clone()),
            Happening::StepFinished(finished) => AnyEvent::new((*finished).clone()),
            Happening::StepFailed(failed) => AnyEvent::new((*failed).clone()),
            Happening::RunIdle(idle) => AnyEvent::new((*idle).clone()),
            _ => return,
        };
        run.publish(event);
    }
}
