//! The lines [`Runner::verbose`](crate::Runner::verbose) prints, as
//! LlamaIndex's `verbose=True` does.

use std::fmt::Write;

use super::{Happening, Report, RunView};

/// Prints each step as it runs and each event it produces on standard
/// output.
pub(super) struct Printer;

impl Report for Printer {
    fn follows_steps(&self) -> bool {
        true
    }

    fn report(&self, _run: &RunView<'_>, happening: &Happening<'_>) {
        if let Some(lines) = lines(happening) {
            print!("{lines}");
        }
    }
}

/// What is printed for `happening`, one line per thing done, if anything.
fn lines(happening: &Happening<'_>) -> Option<String> {
    let mut lines = String::new();
    // Writing to a `String` cannot fail.
    let _ = match happening {
        Happening::StepStarted(started) => writeln!(lines, "Running step {}", started.step),
        Happening::StepFinished(finished) if finished.produced.is_empty() => {
            writeln!(lines, "Step {} produced no event", finished.step)
        }
        Happening::StepFinished(finished) => finished
            .produced
            .iter()
            .try_for_each(|event| writeln!(lines, "Step {} produced event {event}", finished.step)),
        Happening::StepFailed(failed) => {
            writeln!(lines, "Step {} failed: {}", failed.step, failed.error)
        }
        Happening::Retrying {
            step,
            attempt,
            delay,
            error,
        } => writeln!(
            lines,
            "Step {step} failed on attempt {attempt}, trying again in {delay:?}: {error:#}"
        ),
        Happening::InputArrived { event } => writeln!(lines, "The caller sent event {event}"),
        _ => return None,
    };
    Some(lines)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use workflow_model::observe::{StepFinished, StepStarted};

    use super::*;

    fn finished(produced: &[&str]) -> StepFinished {
        StepFinished {
            step: "plan".into(),
            event: "StartEvent".into(),
            duration: Duration::ZERO,
            at: Duration::ZERO,
            produced: produced.iter().map(|name| (*name).to_owned()).collect(),
            written: Vec::new(),
            received: Vec::new(),
        }
    }

    #[test]
    fn a_step_prints_its_start_and_each_event_it_produced() {
        let started = StepStarted {
            step: "plan".into(),
            event: "StartEvent".into(),
            at: Duration::ZERO,
        };
        assert_eq!(
            lines(&Happening::StepStarted(&started)).unwrap(),
            "Running step plan\n"
        );
        assert_eq!(
            lines(&Happening::StepFinished(&finished(&["Draft", "StopEvent"]))).unwrap(),
            "Step plan produced event Draft\nStep plan produced event StopEvent\n"
        );
        assert_eq!(
            lines(&Happening::StepFinished(&finished(&[]))).unwrap(),
            "Step plan produced no event\n"
        );
    }

    #[test]
    fn retries_and_input_are_printed_and_the_rest_is_not() {
        let error = anyhow::anyhow!("busy");
        let retrying = Happening::Retrying {
            step: "call",
            attempt: 2,
            delay: Duration::from_millis(5),
            error: &error,
        };
        assert_eq!(
            lines(&retrying).unwrap(),
            "Step call failed on attempt 2, trying again in 5ms: busy\n"
        );
        let arrived = Happening::InputArrived { event: "Answer" };
        assert_eq!(lines(&arrived).unwrap(), "The caller sent event Answer\n");
        assert!(lines(&Happening::InputUnclaimed { events: 1 }).is_none());
    }
}
