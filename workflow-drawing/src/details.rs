//! What the page says of each node when it is clicked, and its tooltip: a
//! step's events and options, an event's fields and the steps it goes
//! between, all from the compile-time step table.

use std::fmt::Write;

use super::overlay::Overlay;
use super::svg::escape;
use super::{EdgeKind, EventRole, Graph};
use workflow_model::__private::HumanDuration;

/// One line of a node's details: what it is about, and what it says, in
/// parts that each may name a node to go to.
struct Fact {
    label: &'static str,
    parts: Vec<Part>,
    /// Whether the node's tooltip says it too: not what the drawing shows
    /// already, the events a step meets and the steps an event goes between.
    in_tooltip: bool,
}

/// A piece of a fact's text; `node` names the node it is about, if any,
/// whose details a click on it opens.
struct Part {
    text: String,
    node: Option<String>,
}

impl Part {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            node: None,
        }
    }
}

impl Fact {
    /// A fact for the details and the tooltip.
    fn new(label: &'static str, text: impl Into<String>) -> Self {
        Self::of(label, vec![Part::text(text)])
    }

    /// A fact for the details and the tooltip, in `parts`.
    fn of(label: &'static str, parts: Vec<Part>) -> Self {
        Self {
            label,
            parts,
            in_tooltip: true,
        }
    }

    /// A fact for the details alone, in `parts`: what the drawing shows.
    fn drawn(label: &'static str, parts: Vec<Part>) -> Self {
        Self {
            in_tooltip: false,
            ..Self::of(label, parts)
        }
    }

    /// The fact as plain text, for a tooltip.
    fn plain(&self) -> String {
        let text: String = self.parts.iter().map(|part| part.text.as_str()).collect();
        format!("{}: {text}", self.label.to_lowercase())
    }
}

impl Graph {
    /// What a step's details say: the events it meets, edge kind by edge
    /// kind, then its options.
    fn step_facts(&self, index: usize) -> Vec<Fact> {
        let step = &self.steps[index];
        let mut facts: Vec<Fact> = [
            (EdgeKind::Accepts, "Takes", ""),
            (EdgeKind::Gathers, "Gathers", " (a Vec of every branch's)"),
            (EdgeKind::Waits, "Waits for", " (from the caller)"),
            (EdgeKind::Returns, "Returns", ""),
            (EdgeKind::FansOut, "Fans out", " (a Vec: a branch each)"),
            (EdgeKind::Sends, "Sends", ""),
            (EdgeKind::Writes, "Writes to the stream", ""),
        ]
        .into_iter()
        .filter_map(|(kind, label, note)| {
            let events = self
                .edges
                .iter()
                .filter(|edge| edge.step == index && edge.kind == kind)
                .map(|edge| (format!("e{}", edge.event), self.events[edge.event].name));
            let mut parts = links(events);
            if parts.is_empty() {
                return None;
            }
            parts.push(Part::text(note));
            Some(Fact::drawn(label, parts))
        })
        .collect();
        let workers = match step.num_workers {
            1 => "1 at a time".to_owned(),
            workers => format!("{workers} at once"),
        };
        facts.push(Fact::new("Workers", workers));
        if step.spawn {
            facts.push(Fact::new("Runs", "each invocation as a task of its own"));
        }
        facts.push(Fact::new(
            "Retry",
            step.retry
                .as_deref()
                .unwrap_or("none: an error fails the step"),
        ));
        let timeout = step.timeout.map_or_else(
            || "none".to_owned(),
            |timeout| format!("{} per attempt", HumanDuration(timeout)),
        );
        facts.push(Fact::new("Timeout", timeout));
        let failures = match step.caught_by {
            Some(catcher) => {
                let mut parts = vec![Part::text("caught by ")];
                parts.extend(links([(format!("s{catcher}"), self.steps[catcher].name)]));
                Fact::of("Failures", parts)
            }
            None => Fact::new("Failures", "end the run"),
        };
        facts.push(failures);
        if let Some(recoveries) = step.max_recoveries {
            let caught = self
                .steps
                .iter()
                .enumerate()
                .filter(|(_, other)| other.caught_by == Some(index))
                .map(|(other, step)| (format!("s{other}"), step.name));
            let mut parts = links(caught);
            if parts.is_empty() {
                parts.push(Part::text("no step's failures"));
            }
            let plural = if recoveries == 1 { "y" } else { "ies" };
            parts.push(Part::text(format!(
                " (at most {recoveries} recover{plural} a run)"
            )));
            facts.push(Fact::of("Catches failures of", parts));
        }
        facts
    }

    /// What an event's details say: its role, its fields, and the steps it
    /// comes from and goes to.
    fn event_facts(&self, index: usize) -> Vec<Fact> {
        let event = &self.events[index];
        let role = match event.role {
            EventRole::Start => "start event: begins a run",
            EventRole::Routed => "goes from step to step",
            EventRole::Stop => "stop event: ends a run",
            EventRole::Input => "input event: comes in from the run's caller",
            EventRole::Stream => "goes out to the caller's event stream",
        };
        let fields = match event.fields {
            [] => "none known".to_owned(),
            fields => fields
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let role = Fact::drawn("Role", vec![Part::text(role)]);
        let mut facts = vec![role, Fact::new("Fields", fields)];
        let ends = |incoming: bool| {
            let steps = self.edges.iter().filter(|edge| {
                let into_step = matches!(
                    edge.kind,
                    EdgeKind::Accepts | EdgeKind::Gathers | EdgeKind::Waits
                );
                edge.event == index && into_step != incoming
            });
            let mut seen = Vec::new();
            for edge in steps {
                if !seen.contains(&edge.step) {
                    seen.push(edge.step);
                }
            }
            links(
                seen.into_iter()
                    .map(|step| (format!("s{step}"), self.steps[step].name)),
            )
        };
        for (label, parts) in [("From", ends(true)), ("To", ends(false))] {
            if !parts.is_empty() {
                facts.push(Fact::drawn(label, parts));
            }
        }
        facts
    }

    /// The facts of the node `s0` or `e3`, by its index among the steps or
    /// the events.
    fn facts(&self, step: bool, index: usize) -> Vec<Fact> {
        match step {
            true => self.step_facts(index),
            false => self.event_facts(index),
        }
    }

    /// A node's tooltip: the facts of its details that the drawing does
    /// not show, one a line.
    pub(super) fn tooltip(&self, step: bool, index: usize) -> String {
        let facts = self.facts(step, index).into_iter();
        let lines: Vec<String> = facts
            .filter(|fact| fact.in_tooltip)
            .map(|fact| fact.plain())
            .collect();
        lines.join("\n")
    }

    /// The details panel's sections, one per node, each a `<section
    /// data-for="s0">` the page's script shows when its node is clicked.
    /// In the page of a run, each ends with what the run did there.
    pub(super) fn details(&self, overlay: Option<&Overlay>) -> String {
        let mut out = String::new();
        let steps = (0..self.steps.len()).map(|index| (true, index, self.steps[index].name));
        let events = (0..self.events.len()).map(|index| (false, index, self.events[index].name));
        for (step, index, name) in steps.chain(events) {
            let (id, kind, run) = match step {
                true => (
                    format!("s{index}"),
                    "step",
                    overlay.map(|overlay| &overlay.steps[index]),
                ),
                false => (
                    format!("e{index}"),
                    "event",
                    overlay.map(|overlay| &overlay.events[index]),
                ),
            };
            let _ = write!(
                out,
                "<section data-for=\"{id}\">\n<h2><span class=\"kind\">{kind}</span> {}</h2>\n<dl>\n",
                escape(name)
            );
            for fact in self.facts(step, index) {
                let _ = write!(out, "<dt>{}</dt><dd>", fact.label);
                for part in fact.parts {
                    let _ = match part.node {
                        Some(node) => write!(
                            out,
                            "<button type=\"button\" class=\"link\" data-select=\"{node}\">{}</button>",
                            escape(&part.text)
                        ),
                        None => write!(out, "{}", escape(&part.text)),
                    };
                }
                out.push_str("</dd>\n");
            }
            out.push_str("</dl>\n");
            if let Some(run) = run {
                let _ = writeln!(
                    out,
                    "<h3>This run</h3>\n<p class=\"run\">{}</p>",
                    escape(&run.title)
                );
            }
            out.push_str("</section>\n");
        }
        out
    }
}

/// Parts that name each of `nodes`, `(id, name)`, comma-separated.
fn links(nodes: impl IntoIterator<Item = (String, &'static str)>) -> Vec<Part> {
    let mut parts = Vec::new();
    for (id, name) in nodes {
        if !parts.is_empty() {
            parts.push(Part::text(", "));
        }
        parts.push(Part {
            text: name.to_owned(),
            node: Some(id),
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use crate::svg::tests::{sample, sample_trace};

    /// The section of `id` in `details`.
    fn section<'a>(details: &'a str, id: &str) -> &'a str {
        let start = details
            .find(&format!("<section data-for=\"{id}\">"))
            .unwrap();
        let end = start + details[start..].find("</section>").unwrap();
        &details[start..end]
    }

    #[test]
    fn a_step_says_what_it_meets_and_its_options() {
        let details = sample().details(None);
        let work = section(&details, "s1");
        assert!(work.contains("<h2><span class=\"kind\">step</span> work</h2>"));
        let takes = concat!(
            "<dt>Takes</dt><dd><button type=\"button\" class=\"link\" ",
            "data-select=\"e1\">Job</button></dd>"
        );
        assert!(work.contains(takes), "{work}");
        assert!(work.contains("<dt>Workers</dt><dd>8 at once</dd>"));
        assert!(work.contains("<dt>Retry</dt><dd>3 attempts, 250 ms apart</dd>"));
        assert!(work.contains("<dt>Timeout</dt><dd>30 s per attempt</dd>"));
        assert!(work.contains("<dt>Failures</dt><dd>caught by <button"));
        assert!(work.contains("data-select=\"s2\">check</button>"));
        let check = section(&details, "s2");
        assert!(check.contains("<dt>Catches failures of</dt><dd><button"));
        assert!(check.contains("data-select=\"s1\">work</button> (at most 2 recoveries a run)"));
        assert!(!details.contains("<h3>This run</h3>"));
    }

    #[test]
    fn an_event_says_its_fields_and_where_it_goes() {
        let details = sample().details(None);
        let job = section(&details, "e1");
        assert!(job.contains("<dt>Fields</dt><dd>id: u64, text: String</dd>"));
        assert!(job.contains("<dt>From</dt><dd><button"));
        assert!(job.contains("data-select=\"s0\">split</button>"));
        assert!(job.contains("<dt>To</dt><dd><button"));
        let start = section(&details, "e0");
        assert!(start.contains("<dt>Fields</dt><dd>none known</dd>"));
        assert!(start.contains("start event: begins a run"));
    }

    #[test]
    fn tooltips_say_a_steps_options_and_an_events_fields() {
        let graph = sample();
        assert_eq!(
            graph.tooltip(true, 1),
            "workers: 8 at once\nretry: 3 attempts, 250 ms apart\n\
             timeout: 30 s per attempt\nfailures: caught by check"
        );
        assert_eq!(graph.tooltip(false, 1), "fields: id: u64, text: String");
    }

    #[test]
    fn in_a_run_each_node_says_what_the_run_did_there() {
        let graph = sample();
        let overlay = crate::overlay::Overlay::of(&graph, &sample_trace());
        let details = graph.details(Some(&overlay));
        let work = section(&details, "s1");
        assert!(work.contains("<h3>This run</h3>\n<p class=\"run\">ran 2× · 12.4 ms in all</p>"));
        assert!(section(&details, "e4").contains("<p class=\"run\">never occurred</p>"));
    }
}
