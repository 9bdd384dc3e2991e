//! [`RunTrace`]: what one run did, recorded from its observer events, and
//! [`RunEnd`], how it ended. [`draw_most_recent_execution`] draws a trace
//! over the workflow's graph.
//!
//! [`draw_most_recent_execution`]: super::draw_most_recent_execution

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use serde::{Deserialize, Serialize};

use super::{EdgeKind, Graph};
use crate::error::WorkflowError;
use crate::event::AnyEvent;
use crate::observe::{RunIdle, StepFailed, StepFinished, StepStarted};

/// What one run did, step by step, and how it ended: recorded by the caller
/// from the run's event stream with observer events on
/// ([`Runner::expose_internal`](crate::Runner::expose_internal)), then drawn
/// over the workflow's graph by
/// [`draw_most_recent_execution`](super::draw_most_recent_execution).
///
/// A trace keeps counts, not a log: how many times each step started,
/// finished and failed, the time its invocations took in total, and how many
/// times it took each of its edges: was invoked with an event type
/// ([`StepTrace::accepted`]) or produced one ([`StepTrace::produced`]). Its
/// size depends on the workflow, not on how long the run went on. It is
/// plain serde data, to be stored and drawn later.
///
/// It also keeps the run's wall time, [`elapsed`](Self::elapsed), when it
/// was recorded as the run went: the durations of a step's invocations add
/// up to more than the run took when they ran at once.
///
/// ```
/// use typed_workflows::graph::{RunEnd, RunTrace, draw_most_recent_execution};
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Greeting { text: String }
///
/// struct Hello;
///
/// #[workflow_impl]
/// impl Hello {
///     #[step]
///     async fn greet(&self, _start: StartEvent) -> Greeting {
///         Greeting { text: "hello".into() }
///     }
///
///     #[step]
///     async fn finish(&self, greeting: Greeting) -> StopEvent<String> {
///         StopEvent::new(greeting.text)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Hello.runner().expose_internal(true).run(StartEvent::new());
/// let mut trace = RunTrace::new();
/// let mut events = handler.stream_events()?;
/// while let Some(event) = events.next().await {
///     if !trace.record(&event) {
///         // Not an observer event: the caller's own handling goes here.
///     }
/// }
/// let outcome = handler.await;
/// trace.end(&outcome);
/// assert_eq!(outcome?, "hello");
///
/// assert_eq!(trace.ended, Some(RunEnd::Stopped));
/// let greet = trace.step("greet").unwrap();
/// assert_eq!((greet.started, greet.finished, greet.failed), (1, 1, 0));
/// assert_eq!(greet.produced["Greeting"], 1);
///
/// let path = std::env::temp_dir().join("hello_run.html");
/// draw_most_recent_execution::<Hello>(&trace, &path)?;
/// assert!(std::fs::read_to_string(&path)?.contains("Stopped"));
/// # std::fs::remove_file(&path)?;
/// # Ok(())
/// # }
/// ```
///
/// A trace is also collected from observer events at once, as from a
/// stream that was stored:
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::AnyEvent;
/// use typed_workflows::graph::RunTrace;
/// use typed_workflows::observe::{StepFinished, StepStarted};
///
/// let events = [
///     AnyEvent::new(StepStarted { step: "greet".into(), event: "StartEvent".into() }),
///     AnyEvent::new(StepFinished {
///         step: "greet".into(),
///         event: "StartEvent".into(),
///         duration: Duration::from_millis(5),
///         produced: vec!["Greeting".into()],
///         written: vec![],
///         received: vec![],
///     }),
/// ];
/// let trace: RunTrace = events.iter().collect();
/// assert_eq!(trace.step("greet").unwrap().duration, Duration::from_millis(5));
/// assert_eq!(trace.ended, None);
/// // Collected at once, it could not time the run.
/// assert_eq!(trace.elapsed, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTrace {
    /// Every step that started, in the order of its first start.
    pub steps: Vec<StepTrace>,
    /// How the run ended, once [`end`](Self::end) has been told; `None`
    /// before.
    pub ended: Option<RunEnd>,
    /// The run's wall time: from the first step start that
    /// [`record`](Self::record) saw to [`end`](Self::end), by tokio's clock
    /// (so that a test with paused time reads it exactly). `None` before
    /// the end, and for a trace collected at once from stored events
    /// ([`FromIterator`], [`Extend`]), which cannot tell when they happened.
    #[serde(default)]
    pub elapsed: Option<Duration>,
    /// When `record` saw the first step start.
    #[serde(skip)]
    pub(crate) clock: Clock,
}

/// When a trace recorded as its run went saw the first step start. Not part
/// of what the trace says: a trace equals its stored copy, which has none.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock(Option<Instant>);

impl PartialEq for Clock {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Clock {}

/// What the invocations of one step did in a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTrace {
    /// The step's name.
    pub name: String,
    /// How many invocations started.
    pub started: usize,
    /// How many finished successfully.
    pub finished: usize,
    /// How many failed, with an error or a panic.
    pub failed: usize,
    /// The time its finished and failed invocations took, added up. Those
    /// that ran at once each count in full.
    pub duration: Duration,
    /// How many invocations started with each event type, by name.
    pub accepted: BTreeMap<String, usize>,
    /// How many events of each type its finished invocations produced
    /// (sent through the context or returned), by name.
    pub produced: BTreeMap<String, usize>,
    /// How many events of each type its finished invocations wrote to the
    /// stream, by name.
    pub written: BTreeMap<String, usize>,
    /// How many events of each type its finished invocations received
    /// while they waited for the run's caller, by name.
    pub received: BTreeMap<String, usize>,
    /// The error of its last failed invocation, or the panic's message.
    pub error: Option<String>,
}

/// How a run ended: a [`WorkflowError`] or the stop, as plain data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunEnd {
    /// A step returned the stop event.
    Stopped,
    /// A step returned an error ([`WorkflowError::StepFailed`]).
    Failed {
        /// The step's name.
        step: String,
        /// The name of the event type it was handling.
        event: String,
        /// The error, with its causes (`{:#}`).
        error: String,
    },
    /// A step panicked ([`WorkflowError::StepPanicked`]).
    Panicked {
        /// The step's name.
        step: String,
        /// The name of the event type it was handling.
        event: String,
        /// The panic's message.
        message: String,
    },
    /// The run took longer than its timeout ([`WorkflowError::TimedOut`]).
    TimedOut {
        /// The timeout that ran out.
        after: Duration,
        /// The steps still running.
        active_steps: Vec<String>,
    },
    /// The run was cancelled ([`WorkflowError::Cancelled`]).
    Cancelled,
    /// Nothing was left to run and no stop event had come
    /// ([`WorkflowError::Stalled`]).
    Stalled {
        /// The step that finished last.
        last_step: String,
    },
    /// The run panicked outside its steps ([`WorkflowError::RunPanicked`]).
    RunPanicked {
        /// The panic's message.
        message: String,
    },
}

impl RunTrace {
    /// An empty trace, for a run about to be recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `event` if it is an observer event ([`StepStarted`],
    /// [`StepFinished`], [`StepFailed`] or [`RunIdle`]), and says whether it
    /// was. Every other event, the stop event included, is left to the
    /// caller: [`end`](Self::end) learns how the run ended from its outcome.
    /// The first step start it sees starts the clock of the run's wall
    /// time ([`elapsed`](Self::elapsed)).
    pub fn record(&mut self, event: &AnyEvent) -> bool {
        if self.clock.0.is_none() && event.is::<StepStarted>() {
            self.clock.0 = Some(Instant::now());
        }
        self.add(event)
    }

    /// Records `event` as [`record`](Self::record) does, without a clock.
    fn add(&mut self, event: &AnyEvent) -> bool {
        if let Some(started) = event.downcast_ref::<StepStarted>() {
            self.started(started);
        } else if let Some(finished) = event.downcast_ref::<StepFinished>() {
            self.finished(finished);
        } else if let Some(failed) = event.downcast_ref::<StepFailed>() {
            self.failed(failed);
        } else {
            return event.is::<RunIdle>();
        }
        true
    }

    /// Records how the run ended, from what awaiting its handler yielded,
    /// and, if [`record`](Self::record) saw it start, how long it took.
    pub fn end<T>(&mut self, outcome: &Result<T, WorkflowError>) {
        self.ended = Some(RunEnd::of(outcome));
        if let Some(started) = self.clock.0 {
            self.elapsed = Some(started.elapsed());
        }
    }

    /// The trace of the step named `name`, if it started.
    pub fn step(&self, name: &str) -> Option<&StepTrace> {
        self.steps.iter().find(|step| step.name == name)
    }

    /// How many times the run took each of `graph`'s edges, in the order of
    /// [`Graph::edges`]: for an accepts edge, how many invocations of its
    /// step started with its event; for a gathers edge, once its step
    /// started, how many events of its type the run's steps produced, all
    /// of which went to it; for a returns, fan-out or sends edge, how many
    /// events of its type its step produced; for a writes edge, how many it
    /// wrote; for a waits edge, how many it received; for a fails edge, how
    /// many times its step failed. A step that both returns and
    /// sends an event type counts each of its events on both edges, as the
    /// observer events name what a step produced but not how.
    ///
    /// Steps and events are matched by name, so that a trace that was
    /// stored draws as well; names the graph does not have are left out.
    pub fn edge_counts(&self, graph: &Graph) -> Vec<usize> {
        graph
            .edges
            .iter()
            .map(|edge| {
                let Some(step) = self.step(graph.steps[edge.step].name) else {
                    return 0;
                };
                let name = graph.events[edge.event].name;
                let counts = match edge.kind {
                    EdgeKind::Fails => return step.failed,
                    EdgeKind::Gathers if step.started == 0 => return 0,
                    EdgeKind::Gathers => {
                        return self
                            .steps
                            .iter()
                            .filter_map(|step| step.produced.get(name))
                            .sum();
                    }
                    EdgeKind::Accepts => &step.accepted,
                    EdgeKind::Returns | EdgeKind::FansOut | EdgeKind::Sends => &step.produced,
                    EdgeKind::Writes => &step.written,
                    EdgeKind::Waits => &step.received,
                };
                counts.get(name).copied().unwrap_or(0)
            })
            .collect()
    }

    /// The trace of the step named `name`, added if new.
    fn step_mut(&mut self, name: &str) -> &mut StepTrace {
        let index = match self.steps.iter().position(|step| step.name == name) {
            Some(index) => index,
            None => {
                self.steps.push(StepTrace {
                    name: name.to_owned(),
                    ..StepTrace::default()
                });
                self.steps.len() - 1
            }
        };
        &mut self.steps[index]
    }

    fn started(&mut self, started: &StepStarted) {
        let step = self.step_mut(&started.step);
        step.started += 1;
        count(&mut step.accepted, &started.event);
    }

    fn finished(&mut self, finished: &StepFinished) {
        let step = self.step_mut(&finished.step);
        step.finished += 1;
        step.duration += finished.duration;
        for event in &finished.produced {
            count(&mut step.produced, event);
        }
        for event in &finished.written {
            count(&mut step.written, event);
        }
        for event in &finished.received {
            count(&mut step.received, event);
        }
    }

    fn failed(&mut self, failed: &StepFailed) {
        let step = self.step_mut(&failed.step);
        step.failed += 1;
        step.duration += failed.duration;
        step.error = Some(failed.error.clone());
    }
}

/// Adds one to `name`'s count.
fn count(counts: &mut BTreeMap<String, usize>, name: &str) {
    match counts.get_mut(name) {
        Some(count) => *count += 1,
        None => {
            counts.insert(name.to_owned(), 1);
        }
    }
}

impl StepTrace {
    /// How many invocations had neither finished nor failed when the trace
    /// was drawn: those still running when a run timed out or was cancelled.
    pub fn running(&self) -> usize {
        self.started.saturating_sub(self.finished + self.failed)
    }
}

/// Records each event as [`RunTrace::record`] does, but starts no clock:
/// events extended with at once tell nothing of when they happened.
impl<'a> Extend<&'a AnyEvent> for RunTrace {
    fn extend<I: IntoIterator<Item = &'a AnyEvent>>(&mut self, events: I) {
        for event in events {
            self.add(event);
        }
    }
}

/// As for `&AnyEvent`.
impl Extend<AnyEvent> for RunTrace {
    fn extend<I: IntoIterator<Item = AnyEvent>>(&mut self, events: I) {
        for event in events {
            self.add(&event);
        }
    }
}

impl<'a> FromIterator<&'a AnyEvent> for RunTrace {
    fn from_iter<I: IntoIterator<Item = &'a AnyEvent>>(events: I) -> Self {
        let mut trace = Self::new();
        trace.extend(events);
        trace
    }
}

impl FromIterator<AnyEvent> for RunTrace {
    fn from_iter<I: IntoIterator<Item = AnyEvent>>(events: I) -> Self {
        let mut trace = Self::new();
        trace.extend(events);
        trace
    }
}

impl RunEnd {
    /// How a run with `outcome` ended.
    pub fn of<T>(outcome: &Result<T, WorkflowError>) -> Self {
        match outcome {
            Ok(_) => Self::Stopped,
            Err(error) => error.into(),
        }
    }

    /// The steps where the run ended without a stop: the one that failed or
    /// panicked, those still running at the timeout, the last to finish
    /// before a stall. Empty otherwise.
    pub fn steps(&self) -> Vec<&str> {
        match self {
            Self::Failed { step, .. } | Self::Panicked { step, .. } => vec![step],
            Self::TimedOut { active_steps, .. } => {
                active_steps.iter().map(String::as_str).collect()
            }
            Self::Stalled { last_step } => vec![last_step],
            Self::Stopped | Self::Cancelled | Self::RunPanicked { .. } => Vec::new(),
        }
    }
}

impl From<&WorkflowError> for RunEnd {
    fn from(error: &WorkflowError) -> Self {
        match error {
            WorkflowError::StepFailed {
                step,
                event,
                source,
                ..
            } => Self::Failed {
                step: (*step).to_owned(),
                event: (*event).to_owned(),
                error: format!("{source:#}"),
            },
            WorkflowError::StepPanicked {
                step,
                event,
                message,
            } => Self::Panicked {
                step: (*step).to_owned(),
                event: (*event).to_owned(),
                message: message.clone(),
            },
            WorkflowError::TimedOut {
                after,
                active_steps,
            } => Self::TimedOut {
                after: *after,
                active_steps: active_steps.iter().map(|step| (*step).to_owned()).collect(),
            },
            WorkflowError::RunPanicked { message } => Self::RunPanicked {
                message: message.clone(),
            },
            WorkflowError::Cancelled | WorkflowError::Suspended => Self::Cancelled,
            WorkflowError::Stalled { last_step } => Self::Stalled {
                last_step: (*last_step).to_owned(),
            },
        }
    }
}

/// One line for a person: `Stopped`, `Failed in step_two: connection
/// refused`, `Timed out after 30 s with step_two running`, `Cancelled`.
impl fmt::Display for RunEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stopped => f.write_str("Stopped"),
            Self::Failed { step, error, .. } => write!(f, "Failed in {step}: {error}"),
            Self::Panicked { step, message, .. } => write!(f, "Panicked in {step}: {message}"),
            Self::TimedOut {
                after,
                active_steps,
            } => write!(
                f,
                "Timed out after {} with {} running",
                HumanDuration(*after),
                and_list(active_steps),
            ),
            Self::Cancelled => f.write_str("Cancelled"),
            Self::Stalled { last_step } => write!(
                f,
                "Stalled after {last_step}: nothing left to run and no stop event"
            ),
            Self::RunPanicked { message } => {
                write!(f, "Panicked outside its steps: {message}")
            }
        }
    }
}

/// `a`, `a and b`, `a, b and c`; `no step` for none.
fn and_list(names: &[String]) -> String {
    match names {
        [] => "no step".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A duration for a person, to three significant digits in the largest unit
/// that keeps it at 1 or more: `250 ms`, `12.4 ms`, `1.5 s`, `850 µs`; from
/// a minute on, in minutes and seconds: `2 min 5 s`.
pub(crate) struct HumanDuration(pub(crate) Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0 s");
        }
        let seconds = self.0.as_secs_f64();
        if seconds >= 59.5 {
            let seconds = seconds.round() as u64;
            return write!(f, "{} min {} s", seconds / 60, seconds % 60);
        }
        // The largest unit in which the value rounds to 1 or more.
        let (value, unit) = [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]
            .into_iter()
            .map(|(scale, unit)| (seconds / scale, unit))
            .find(|(value, unit)| *value >= 0.9995 || *unit == "ns")
            .expect("nanoseconds are the last unit");
        let decimals = match value {
            v if v >= 99.95 => 0,
            v if v >= 9.995 => 1,
            _ => 2,
        };
        let text = format!("{value:.decimals$}");
        let text = match decimals {
            0 => &text,
            _ => text.trim_end_matches('0').trim_end_matches('.'),
        };
        write!(f, "{text} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{HumanDuration, RunEnd, RunTrace};
    use crate::event::AnyEvent;
    use crate::graph::svg::tests::sample;
    use crate::observe::{RunIdle, StepFailed, StepFinished, StepStarted};
    use crate::{StartEvent, WorkflowError};

    fn started(step: &str, event: &str) -> AnyEvent {
        AnyEvent::new(StepStarted {
            step: step.into(),
            event: event.into(),
        })
    }

    fn finished(step: &str, event: &str, millis: u64, produced: &[&str]) -> AnyEvent {
        finished_writing(step, event, millis, produced, &[])
    }

    fn finished_writing(
        step: &str,
        event: &str,
        millis: u64,
        produced: &[&str],
        written: &[&str],
    ) -> AnyEvent {
        let names = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect();
        AnyEvent::new(StepFinished {
            step: step.into(),
            event: event.into(),
            duration: Duration::from_millis(millis),
            produced: names(produced),
            written: names(written),
            received: Vec::new(),
        })
    }

    fn failed(step: &str, event: &str, millis: u64, error: &str) -> AnyEvent {
        AnyEvent::new(StepFailed {
            step: step.into(),
            event: event.into(),
            duration: Duration::from_millis(millis),
            error: error.into(),
        })
    }

    /// A run of the sample graph: `split` sends two jobs, `work` runs
    /// twice and writes three logs, `check` runs once and fails.
    fn sample_run() -> Vec<AnyEvent> {
        vec![
            started("split", "StartEvent"),
            finished("split", "StartEvent", 1, &["Job", "Job"]),
            started("work", "Job"),
            started("work", "Job"),
            AnyEvent::new(StartEvent::new()),
            finished_writing("work", "Job", 10, &["Progress", "Done"], &["Log", "Log"]),
            finished_writing("work", "Job", 20, &["Progress"], &["Log"]),
            started("check", "Done"),
            failed("check", "Done", 3, "no good"),
        ]
    }

    #[test]
    fn counts_starts_ends_durations_and_edges_per_step() {
        let trace: RunTrace = sample_run().iter().collect();
        let names: Vec<_> = trace.steps.iter().map(|step| &*step.name).collect();
        assert_eq!(names, ["split", "work", "check"]);
        let work = trace.step("work").unwrap();
        assert_eq!((work.started, work.finished, work.failed), (2, 2, 0));
        assert_eq!(work.duration, Duration::from_millis(30));
        assert_eq!(work.accepted["Job"], 2);
        assert_eq!(work.produced["Progress"], 2);
        assert_eq!(work.produced["Done"], 1);
        assert_eq!(work.written["Log"], 3);
        assert_eq!(work.error, None);
        let check = trace.step("check").unwrap();
        assert_eq!((check.started, check.finished, check.failed), (1, 0, 1));
        assert_eq!(check.duration, Duration::from_millis(3));
        assert_eq!(check.error.as_deref(), Some("no good"));
        assert!(trace.step("nobody").is_none());
    }

    #[test]
    fn only_observer_events_are_recorded() {
        let mut trace = RunTrace::new();
        assert!(!trace.record(&AnyEvent::new(StartEvent::new())));
        assert!(trace.record(&AnyEvent::new(RunIdle { waiting: vec![] })));
        assert_eq!(trace, RunTrace::new());
        assert!(trace.record(&started("split", "StartEvent")));
        assert_eq!(trace.steps.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_trace_recorded_live_times_its_run_from_the_first_step_start() {
        let ok = Ok::<_, WorkflowError>(());
        let mut live = RunTrace::new();
        live.record(&AnyEvent::new(RunIdle { waiting: vec![] }));
        tokio::time::advance(Duration::from_millis(5)).await;
        for event in sample_run() {
            live.record(&event);
        }
        tokio::time::advance(Duration::from_millis(40)).await;
        live.end(&ok);
        assert_eq!(live.elapsed, Some(Duration::from_millis(40)));

        // Collected at once, the same events tell no time; but for that,
        // the traces are equal.
        let mut collected: RunTrace = sample_run().iter().collect();
        collected.end(&ok);
        assert_eq!(collected.elapsed, None);
        collected.elapsed = live.elapsed;
        assert_eq!(collected, live);
    }

    #[test]
    fn edges_are_counted_on_the_graph_by_name() {
        let trace: RunTrace = sample_run().into_iter().collect();
        // split: accepts Start, sends Job; work: accepts Job, returns Done,
        // returns and sends Progress; check: accepts Done, returns Done and
        // Stop; work writes Log.
        assert_eq!(trace.edge_counts(&sample()), [1, 2, 2, 1, 2, 2, 1, 0, 0, 3]);
    }

    #[test]
    fn a_step_still_running_is_started_but_not_ended() {
        let trace: RunTrace = [
            started("work", "Job"),
            started("work", "Job"),
            finished("work", "Job", 5, &[]),
        ]
        .iter()
        .collect();
        assert_eq!(trace.step("work").unwrap().running(), 1);
    }

    #[test]
    fn every_error_becomes_an_end() {
        let timed_out = WorkflowError::TimedOut {
            after: Duration::from_secs(30),
            active_steps: vec!["step_two"],
        };
        let failed = WorkflowError::StepFailed {
            step: "step_two",
            event: "FirstEvent",
            attempts: 1,
            source: anyhow::anyhow!("connection refused").context("no answer"),
        };
        let ends = [
            (RunEnd::of(&Ok::<_, WorkflowError>(())), "Stopped"),
            (
                RunEnd::from(&failed),
                "Failed in step_two: no answer: connection refused",
            ),
            (
                RunEnd::from(&WorkflowError::StepPanicked {
                    step: "a",
                    event: "E",
                    message: "oops".into(),
                }),
                "Panicked in a: oops",
            ),
            (
                RunEnd::from(&timed_out),
                "Timed out after 30 s with step_two running",
            ),
            (RunEnd::from(&WorkflowError::Cancelled), "Cancelled"),
            (
                RunEnd::from(&WorkflowError::Stalled { last_step: "last" }),
                "Stalled after last: nothing left to run and no stop event",
            ),
            (
                RunEnd::from(&WorkflowError::RunPanicked {
                    message: "in Drop".into(),
                }),
                "Panicked outside its steps: in Drop",
            ),
        ];
        for (end, text) in ends {
            assert_eq!(end.to_string(), text);
        }
        assert_eq!(RunEnd::from(&failed).steps(), ["step_two"]);
        assert_eq!(RunEnd::from(&timed_out).steps(), ["step_two"]);
        assert!(RunEnd::Cancelled.steps().is_empty());
    }

    #[test]
    fn timeouts_list_their_steps() {
        let end = |steps: &[&str]| RunEnd::TimedOut {
            after: Duration::from_millis(1_500),
            active_steps: steps.iter().map(|step| (*step).to_owned()).collect(),
        };
        assert_eq!(
            end(&[]).to_string(),
            "Timed out after 1.5 s with no step running"
        );
        assert_eq!(
            end(&["a", "b", "c"]).to_string(),
            "Timed out after 1.5 s with a, b and c running"
        );
    }

    #[test]
    fn durations_read_in_the_largest_unit_to_three_digits() {
        let cases = [
            (Duration::ZERO, "0 s"),
            (Duration::from_nanos(42), "42 ns"),
            (Duration::from_nanos(850_000), "850 µs"),
            (Duration::from_micros(12_400), "12.4 ms"),
            (Duration::from_micros(1_234), "1.23 ms"),
            (Duration::from_millis(250), "250 ms"),
            (Duration::from_millis(999_999), "16 min 40 s"),
            (Duration::from_secs(75), "1 min 15 s"),
            (Duration::from_millis(59_400), "59.4 s"),
            (Duration::from_millis(1_500), "1.5 s"),
            (Duration::from_secs(30), "30 s"),
            (Duration::from_micros(999_999), "1 s"),
            (Duration::from_nanos(99_960), "100 µs"),
        ];
        for (duration, text) in cases {
            assert_eq!(HumanDuration(duration).to_string(), text, "{duration:?}");
        }
    }

    #[test]
    fn a_trace_is_serde_data() {
        let mut trace: RunTrace = sample_run().iter().collect();
        trace.ended = Some(RunEnd::TimedOut {
            after: Duration::from_secs(3),
            active_steps: vec!["work".into()],
        });
        let json = serde_json::to_string(&trace).unwrap();
        assert_eq!(serde_json::from_str::<RunTrace>(&json).unwrap(), trace);
        assert!(
            json.contains(r#""duration":{"secs":0,"nanos":30000000}"#),
            "{json}"
        );
    }
}
