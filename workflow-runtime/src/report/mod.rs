//! What a run reports about itself, and who hears it.
//!
//! A run tells every [`Report`] it has what happens to it, as a
//! [`Happening`], through one call at each place it happens. Three reports
//! come with the library, and each is only a way of hearing the same
//! happenings:
//!
//! - the [`tracing`] events, always (the log of runs, when the application
//!   installs a subscriber);
//! - the printed lines of [`Runner::verbose`](crate::Runner::verbose);
//! - the observer events published on the run's stream by
//!   [`Runner::expose_internal`](crate::Runner::expose_internal).
//!
//! [`Runner::report_to`](crate::Runner::report_to) adds one of your own: a
//! metrics counter, a test's recorder, a journal.
//!
//! Some happenings cost the run something to record: the start and end of
//! each step, with what it produced, wrote and received, and the moments the
//! run is left waiting for input. A run records them only when one of its
//! reports [`follows_steps`](Report::follows_steps); the others (retries,
//! recoveries, input, the run's end) are rare, and every report hears them.
//!
//! The run's and each step's tracing spans are not reports: they give the
//! logs a step writes itself the run and step they come from.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use typed_workflows::prelude::*;
//! use typed_workflows::report::{Happening, Report, RunView};
//!
//! /// Counts the steps that finished, across runs.
//! #[derive(Default)]
//! struct Finished(Mutex<u32>);
//!
//! impl Report for Finished {
//!     fn follows_steps(&self) -> bool {
//!         true
//!     }
//!
//!     fn report(&self, _run: &RunView<'_>, happening: &Happening<'_>) {
//!         if let Happening::StepFinished(_) = happening {
//!             *self.0.lock().unwrap() += 1;
//!         }
//!     }
//! }
//!
//! struct Hello;
//!
//! #[workflow_impl]
//! impl Hello {
//!     #[step]
//!     async fn greet(&self, _ev: StartEvent) -> StopEvent<String> {
//!         StopEvent::new("hello".into())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<()> {
//! let finished = Arc::new(Finished::default());
//! let runner = Hello.runner().report_to(finished.clone());
//! assert_eq!(runner.run(StartEvent::new()).await?, "hello");
//! assert_eq!(*finished.0.lock().unwrap(), 1);
//! # Ok(())
//! # }
//! ```

mod expose;
mod print;
mod trace;
pub(crate) mod watch;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use workflow_model::observe::{RunIdle, StepFailed, StepFinished, StepStarted};
use workflow_model::{AnyEvent, RunId, WorkflowError};

use crate::stream::Publisher;

use self::expose::Exposer;
use self::print::Printer;
use self::trace::Tracer;
use self::watch::Watcher;

/// Something that hears what runs report about themselves (see the
/// [module](self)).
///
/// A run calls its reports on its own task, or on a spawned step's, while
/// it happens: a report should return quickly, and must not block. A
/// report that panics fails the run: with
/// [`WorkflowError::StepPanicked`] if it was told inside a step (of a
/// retry), with [`RunPanicked`](WorkflowError::RunPanicked) otherwise.
pub trait Report: Send + Sync + 'static {
    /// Whether this report wants the start and end of each step and the
    /// moments the run waits for input ([`Happening::StepStarted`],
    /// [`StepFinished`](Happening::StepFinished),
    /// [`StepFailed`](Happening::StepFailed) and
    /// [`RunIdle`](Happening::RunIdle)). Asked once as each run begins; a
    /// run records those only if one of its reports wants them. No by
    /// default.
    fn follows_steps(&self) -> bool {
        false
    }

    /// Hears one thing that happened in `run`.
    fn report(&self, run: &RunView<'_>, happening: &Happening<'_>);
}

impl<R: Report> Report for Arc<R> {
    fn follows_steps(&self) -> bool {
        R::follows_steps(self)
    }

    fn report(&self, run: &RunView<'_>, happening: &Happening<'_>) {
        R::report(self, run, happening);
    }
}

/// Something that happened in a run, as its reports hear it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Happening<'a> {
    /// A step is about to run with an event (only to reports that
    /// [follow steps](Report::follows_steps)).
    StepStarted(&'a StepStarted),
    /// A step returned, with what it produced, wrote and received (only to
    /// reports that follow steps).
    StepFinished(&'a StepFinished),
    /// A step failed or panicked, after its last attempt (only to reports
    /// that follow steps).
    StepFailed(&'a StepFailed),
    /// The run has nothing to do but wait for its caller (only to reports
    /// that follow steps).
    RunIdle(&'a RunIdle),
    /// An attempt of a step with a retry policy failed, and the step tries
    /// again after `delay`.
    Retrying {
        /// The step's name.
        step: &'static str,
        /// The attempt that failed, counted from 1.
        attempt: u32,
        /// How long the step waits before its next attempt.
        delay: Duration,
        /// What the attempt failed with.
        error: &'a anyhow::Error,
    },
    /// A step failed, and its failure goes as a
    /// [`StepFailedEvent`](crate::StepFailedEvent) to the step that catches
    /// it.
    Recovering {
        /// The step that failed.
        step: &'static str,
        /// The step that catches its failure.
        catcher: &'static str,
        /// What it failed with.
        error: &'a str,
    },
    /// The run's caller sent it an event, which the run now looks at: to
    /// hand it to the waits it suits, or to the steps that take it, or to
    /// keep it for a later wait.
    InputArrived {
        /// The event's name.
        event: &'static str,
    },
    /// A step produced, outside any fan-out, an event that steps only
    /// gather from a fan-out: it goes to the event stream instead.
    Ungathered {
        /// The event's name.
        event: &'static str,
    },
    /// The run ended: with its stop event, or with an error (which is
    /// [`WorkflowError::Suspended`] when its caller suspended it).
    RunEnded(Result<(), &'a WorkflowError>),
    /// The run ended with events its caller sent that no step took.
    InputUnclaimed {
        /// How many.
        events: usize,
    },
}

impl Happening<'_> {
    /// Whether only reports that [follow steps](Report::follows_steps) hear
    /// it.
    fn is_of_steps(&self) -> bool {
        matches!(
            self,
            Self::StepStarted(_) | Self::StepFinished(_) | Self::StepFailed(_) | Self::RunIdle(_)
        )
    }
}

/// The run a [`Happening`] belongs to.
pub struct RunView<'a> {
    run_id: RunId,
    workflow: &'static str,
    stream: &'a Publisher,
}

impl RunView<'_> {
    /// The run's id.
    pub fn run_id(&self) -> RunId {
        self.run_id
    }

    /// The name of the run's workflow.
    pub fn workflow(&self) -> &'static str {
        self.workflow
    }

    /// Publishes `event` on the run's stream.
    fn publish(&self, event: AnyEvent) {
        self.stream.publish(event);
    }
}

impl fmt::Debug for RunView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunView")
            .field("run_id", &self.run_id)
            .field("workflow", &self.workflow)
            .finish_non_exhaustive()
    }
}

/// The reports a runner gives its runs besides tracing's, which every run
/// has; shared by the runner, its clones and their runs.
#[derive(Clone, Default)]
pub(crate) struct Reports {
    verbose: bool,
    expose_internal: bool,
    added: Vec<Arc<dyn Report>>,
}

impl Reports {
    /// Sets whether runs print what they do.
    pub(crate) fn verbose(reports: &mut Option<Arc<Self>>, verbose: bool) {
        Self::change(reports, |reports| reports.verbose = verbose);
    }

    /// Sets whether runs publish observer events on their streams.
    pub(crate) fn expose_internal(reports: &mut Option<Arc<Self>>, expose: bool) {
        Self::change(reports, |reports| reports.expose_internal = expose);
    }

    /// Adds `report` to those of the runs.
    pub(crate) fn add(reports: &mut Option<Arc<Self>>, report: Arc<dyn Report>) {
        Self::change(reports, |reports| reports.added.push(report));
    }

    /// Changes the reports of a runner, which holds none beside tracing's
    /// while it has no other.
    fn change(reports: &mut Option<Arc<Self>>, change: impl FnOnce(&mut Self)) {
        let mut changed = reports.as_deref().cloned().unwrap_or_default();
        change(&mut changed);
        let none = !changed.verbose && !changed.expose_internal && changed.added.is_empty();
        *reports = (!none).then(|| Arc::new(changed));
    }

    /// Whether one of them, or tracing's, follows steps.
    fn follow_steps(reports: Option<&Self>) -> bool {
        Tracer.follows_steps()
            || reports.is_some_and(|reports| {
                reports.verbose
                    || reports.expose_internal
                    || reports.added.iter().any(|report| report.follows_steps())
            })
    }

    /// Tells each of them `happening`: a step's to those that follow steps
    /// only.
    fn tell(reports: Option<&Self>, run: &RunView<'_>, happening: &Happening<'_>) {
        Tracer.report(run, happening);
        let Some(reports) = reports else {
            return;
        };
        if reports.expose_internal {
            Exposer.report(run, happening);
        }
        if reports.verbose {
            Printer.report(run, happening);
        }
        let of_steps = happening.is_of_steps();
        for report in &reports.added {
            if !of_steps || report.follows_steps() {
                report.report(run, happening);
            }
        }
    }
}

/// The reports of one run, with what it records for those that follow
/// steps: two words, so that a run that has none beside tracing's costs
/// little.
pub(crate) struct RunReports {
    reports: Option<Arc<Reports>>,
    /// Present when a report follows steps.
    watcher: Option<Box<Watcher>>,
}

impl RunReports {
    /// The reports of a run of a runner that has `reports`.
    pub(crate) fn new(reports: Option<Arc<Reports>>) -> Self {
        let watcher = Reports::follow_steps(reports.as_deref()).then(Watcher::new);
        Self { reports, watcher }
    }

    /// What the run records for the reports that follow steps, if one does.
    #[inline]
    pub(crate) fn watcher(&self) -> Option<&Watcher> {
        self.watcher.as_deref()
    }

    /// Tells the run's reports `happening`; the run is `run_id`, of the
    /// workflow named `workflow`, with its stream `stream`.
    pub(crate) fn tell(
        &self,
        (run_id, workflow, stream): (RunId, &'static str, &Publisher),
        happening: &Happening<'_>,
    ) {
        let run = RunView {
            run_id,
            workflow,
            stream,
        };
        Reports::tell(self.reports.as_deref(), &run, happening);
    }
}
