//! A [`RunTrace`] laid over a [`Graph`]: what the run did at each node and
//! edge, in the terms the drawing shows it. The SVG and HTML writers draw
//! the graph as usual and add this on top.

use std::time::Duration;

use super::style::Mark;
use super::svg::shorten;
use super::trace::{RunEnd, RunTrace, StepTrace};
use super::{EventRole, Graph};
use workflow_model::__private::HumanDuration;

/// How many characters of an error a step's box shows; the node's tooltip
/// and the page's headline show all of it.
const ERROR_CHARS: usize = 48;

/// A run over a graph, node by node and edge by edge.
pub(super) struct Overlay {
    /// For each of [`Graph::steps`].
    pub(super) steps: Vec<NodeRun>,
    /// For each of [`Graph::events`].
    pub(super) events: Vec<NodeRun>,
    /// How many times the run took each of [`Graph::edges`].
    pub(super) edges: Vec<usize>,
    /// How the run ended, in one line.
    pub(super) headline: String,
    /// The headline's class: `stopped`, `failed`, `halted` or `unknown`.
    pub(super) tone: &'static str,
    /// The numbers of the run in one line, and what is missing from it.
    pub(super) summary: String,
}

/// What a run did at one node.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NodeRun {
    pub(super) mark: Mark,
    /// Lines under the node's label.
    pub(super) notes: Vec<Note>,
    /// All of it, for the node's tooltip.
    pub(super) title: String,
}

/// A line under a node's label.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Note {
    pub(super) text: String,
    /// Whether it is an error, drawn in red.
    pub(super) error: bool,
}

impl Overlay {
    /// `trace` over `graph`.
    pub(super) fn of(graph: &Graph, trace: &RunTrace) -> Self {
        let edges = trace.edge_counts(graph);
        let ended = trace.ended.as_ref();
        let steps = graph
            .steps
            .iter()
            .map(|step| step_run(step.name, trace))
            .collect();
        let events = (0..graph.events.len())
            .map(|index| event_run(graph, index, &edges, ended))
            .collect();
        Self {
            steps,
            events,
            edges,
            headline: ended.map_or_else(
                || "Not ended: the trace was drawn before its run's outcome was recorded".into(),
                RunEnd::to_string,
            ),
            tone: match ended {
                Some(RunEnd::Stopped) => "stopped",
                Some(
                    RunEnd::Failed { .. } | RunEnd::Panicked { .. } | RunEnd::RunPanicked { .. },
                ) => "failed",
                Some(RunEnd::TimedOut { .. } | RunEnd::Cancelled | RunEnd::Stalled { .. }) => {
                    "halted"
                }
                None => "unknown",
            },
            summary: summary(graph, trace),
        }
    }

    /// Whether any node carries `mark`.
    pub(super) fn has(&self, mark: Mark) -> bool {
        self.steps
            .iter()
            .chain(&self.events)
            .any(|node| node.mark == mark)
    }
}

/// What the step named `name` did in the run of `trace`.
fn step_run(name: &str, trace: &RunTrace) -> NodeRun {
    let ended = trace.ended.as_ref();
    let step = trace.step(name).filter(|step| step.started > 0);
    // The run's end has the error with its causes; the trace, its message.
    let error = match ended {
        Some(RunEnd::Failed { step, error, .. }) if step == name => Some(error),
        Some(RunEnd::Panicked { step, message, .. }) if step == name => Some(message),
        _ => step.and_then(|step| step.error.as_ref()),
    };
    let halted = ended.is_some_and(|end| end.steps().contains(&name))
        || step.is_some_and(|step| step.running() > 0);
    let mark = match (error, halted, step) {
        (Some(_), ..) => Mark::Failed,
        (None, true, _) => Mark::Halted,
        (None, false, Some(_)) => Mark::Ran,
        (None, false, None) => Mark::Idle,
    };
    let detail = match step {
        Some(step) => detail(step),
        None if mark == Mark::Idle => "did not run".to_owned(),
        // The end names a step whose invocations the trace lacks.
        None => "not recorded".to_owned(),
    };
    let mut notes = vec![Note {
        text: detail.clone(),
        error: false,
    }];
    let mut title = detail;
    if let Some(error) = error {
        notes.push(Note {
            text: format!("✗ {}", shorten(error, ERROR_CHARS)),
            error: true,
        });
        title = format!("{title}\nfailed: {error}");
    }
    NodeRun { mark, notes, title }
}

/// `ran 1× · 12.4 ms`, `ran 3× · 40 ms in all`, with what failed and what
/// was still running.
fn detail(step: &StepTrace) -> String {
    let ended = step.finished + step.failed;
    let mut parts = Vec::new();
    match ended {
        0 => {}
        1 => parts.push(format!("ran 1× · {}", HumanDuration(step.duration))),
        _ => parts.push(format!(
            "ran {ended}× · {} in all",
            HumanDuration(step.duration)
        )),
    }
    if step.failed > 0 && step.finished > 0 {
        parts.push(format!("{} failed", step.failed));
    }
    match step.running() {
        0 => {}
        1 if ended == 0 => parts.push("started, never finished".into()),
        running => parts.push(format!("{running} never finished")),
    }
    parts.join(" · ")
}

/// What the event at `index` did: whether the run took any edge through it,
/// and whether it ended the run.
fn event_run(graph: &Graph, index: usize, edges: &[usize], ended: Option<&RunEnd>) -> NodeRun {
    let occurred = graph
        .edges
        .iter()
        .zip(edges)
        .any(|(edge, &count)| edge.event == index && count > 0);
    let stopped = graph.events[index].role == EventRole::Stop && ended == Some(&RunEnd::Stopped);
    let (mark, title) = match (stopped, occurred) {
        (true, _) => (Mark::Stopped, "ended the run"),
        (false, true) => (Mark::Ran, "occurred"),
        (false, false) => (Mark::Idle, "never occurred"),
    };
    NodeRun {
        mark,
        notes: Vec::new(),
        title: title.to_owned(),
    }
}

/// `Wall time 162 ms · step time 1.09 s, summed over 24 invocations · 3 of
/// 4 steps ran.`, or a word on an empty trace. Invocations that run at once
/// make the step time more than the wall time.
fn summary(graph: &Graph, trace: &RunTrace) -> String {
    let known: Vec<&StepTrace> = graph
        .steps
        .iter()
        .filter_map(|step| trace.step(step.name))
        .filter(|step| step.started > 0)
        .collect();
    if known.is_empty() {
        return "No step was recorded: record the run's events with observer events on \
                (Runner::expose_internal(true))."
            .into();
    }
    let invocations: usize = known.iter().map(|step| step.started).sum();
    let step_time: Duration = known.iter().map(|step| step.duration).sum();
    let plural = |n: usize, word: &str| match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    };
    let wall = match trace.elapsed {
        Some(elapsed) => format!("Wall time {} · step time", HumanDuration(elapsed)),
        None => "Wall time not recorded · step time".to_owned(),
    };
    format!(
        "{wall} {}, summed over {} · {} of {} ran.",
        HumanDuration(step_time),
        plural(invocations, "invocation"),
        known.len(),
        plural(graph.steps.len(), "step"),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Note, Overlay};
    use crate::style::Mark;
    use crate::svg::tests::sample;
    use crate::{RunEnd, RunTrace, StepTrace};

    fn step(name: &str, started: usize, finished: usize, failed: usize, millis: u64) -> StepTrace {
        StepTrace {
            name: name.into(),
            started,
            finished,
            failed,
            duration: Duration::from_millis(millis),
            ..StepTrace::default()
        }
    }

    fn notes(texts: &[&str]) -> Vec<Note> {
        texts
            .iter()
            .map(|text| Note {
                text: (*text).into(),
                error: text.starts_with('✗'),
            })
            .collect()
    }

    #[test]
    fn steps_say_how_often_they_ran_and_how_long_it_took() {
        let mut work = step("work", 3, 3, 0, 12);
        work.accepted.insert("Job".into(), 3);
        work.produced.insert("Done".into(), 1);
        let trace = RunTrace {
            steps: vec![step("split", 1, 1, 0, 0), work],
            ended: Some(RunEnd::Stopped),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &trace);
        let marks: Vec<_> = overlay.steps.iter().map(|step| step.mark).collect();
        assert_eq!(marks, [Mark::Ran, Mark::Ran, Mark::Idle]);
        assert_eq!(overlay.steps[0].notes, notes(&["ran 1× · 0 s"]));
        assert_eq!(overlay.steps[1].notes, notes(&["ran 3× · 12 ms in all"]));
        assert_eq!(overlay.steps[2].notes, notes(&["did not run"]));
        // Job and Done occurred, through work's edges; Stop ended the run.
        let marks: Vec<_> = overlay.events.iter().map(|event| event.mark).collect();
        assert_eq!(
            marks,
            [
                Mark::Idle,
                Mark::Ran,
                Mark::Idle,
                Mark::Ran,
                Mark::Stopped,
                Mark::Idle
            ]
        );
        assert_eq!(overlay.headline, "Stopped");
        assert_eq!(overlay.tone, "stopped");
        assert_eq!(
            overlay.summary,
            "Wall time not recorded · step time 12 ms, summed over 4 invocations · 2 of 3 steps ran."
        );
        let timed = RunTrace {
            elapsed: Some(Duration::from_millis(5)),
            ..trace
        };
        assert_eq!(
            Overlay::of(&sample(), &timed).summary,
            "Wall time 5 ms · step time 12 ms, summed over 4 invocations · 2 of 3 steps ran."
        );
    }

    #[test]
    fn the_failing_step_shows_its_error_shortened_and_its_title_all_of_it() {
        let error = "connection refused by the upstream server at 10.0.0.1 port 8080";
        let mut check = step("check", 1, 0, 1, 2);
        check.error = Some(error.into());
        let trace = RunTrace {
            steps: vec![check],
            ended: Some(RunEnd::Failed {
                step: "check".into(),
                event: "Done".into(),
                error: error.into(),
            }),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &trace);
        let check = &overlay.steps[2];
        assert_eq!(check.mark, Mark::Failed);
        assert_eq!(
            check.notes,
            notes(&[
                "ran 1× · 2 ms",
                "✗ connection refused by the upstream server at 10…",
            ])
        );
        assert!(check.title.ends_with(error));
        assert_eq!(overlay.tone, "failed");
        assert!(overlay.has(Mark::Failed));
        assert!(!overlay.has(Mark::Stopped));
    }

    #[test]
    fn steps_still_running_at_the_timeout_are_halted() {
        let trace = RunTrace {
            steps: vec![step("split", 1, 1, 0, 0), step("work", 2, 1, 0, 5)],
            ended: Some(RunEnd::TimedOut {
                after: Duration::from_secs(1),
                active_steps: vec!["work".into()],
            }),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &trace);
        assert_eq!(overlay.steps[1].mark, Mark::Halted);
        assert_eq!(
            overlay.steps[1].notes,
            notes(&["ran 1× · 5 ms · 1 never finished"])
        );
        let lone = RunTrace {
            steps: vec![step("work", 1, 0, 0, 0)],
            ended: Some(RunEnd::Cancelled),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &lone);
        assert_eq!(overlay.steps[1].mark, Mark::Halted);
        assert_eq!(overlay.steps[1].notes, notes(&["started, never finished"]));
        assert_eq!(overlay.tone, "halted");
    }

    #[test]
    fn a_step_the_end_names_is_marked_without_a_record_of_it() {
        let trace = RunTrace {
            steps: Vec::new(),
            ended: Some(RunEnd::Panicked {
                step: "work".into(),
                event: "Job".into(),
                message: "oops".into(),
            }),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &trace);
        assert_eq!(overlay.steps[1].mark, Mark::Failed);
        assert_eq!(overlay.steps[1].notes, notes(&["not recorded", "✗ oops"]));
        let trace = RunTrace {
            steps: Vec::new(),
            ended: Some(RunEnd::Stalled {
                last_step: "check".into(),
            }),
            ..RunTrace::new()
        };
        let overlay = Overlay::of(&sample(), &trace);
        assert_eq!(overlay.steps[2].mark, Mark::Halted);
        assert_eq!(overlay.steps[2].notes, notes(&["not recorded"]));
        assert_eq!(overlay.steps[0].mark, Mark::Idle);
    }

    #[test]
    fn an_empty_trace_says_what_is_missing() {
        let overlay = Overlay::of(&sample(), &RunTrace::new());
        assert!(overlay.headline.starts_with("Not ended"));
        assert_eq!(overlay.tone, "unknown");
        assert!(overlay.summary.contains("expose_internal(true)"));
        assert!(overlay.edges.iter().all(|&count| count == 0));
    }
}
