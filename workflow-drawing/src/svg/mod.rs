//! [`Graph`] drawn as a standalone SVG document, alone or with a run over
//! it. `layout-rs` places the nodes top to bottom and routes the edges
//! ([`layout`]); the drawing itself is written here, so that steps and each
//! role of event get their own shape and colors ([`shapes`], [`edges`]).
//! The legend's swatches live here too, for the HTML page.

mod edges;
mod layout;
mod shapes;
mod text;

use std::fmt::Write;

pub(super) use edges::edge_swatch;
pub(super) use shapes::node_swatch;
pub(super) use text::{FONT_FAMILY, escape, shorten};

use self::layout::Layout;
use self::shapes::Node;
use self::text::FONT_SIZE;
use super::Graph;
use super::overlay::Overlay;
use super::style::NodeKind;
use super::trace::RunTrace;

impl Graph {
    /// The graph drawn as a standalone SVG document, top to bottom: steps as
    /// blue rounded boxes labelled with their workers, events as ellipses
    /// colored by their role (green start, amber routed, red stop, and
    /// dashed purple for events that only go out to the stream), edges with
    /// arrowheads, dashed for events a step sends through its context; a
    /// fan-out ends in three stacked arrowheads labelled `×n`, and a gather
    /// is a hollow double line labelled `all`.
    ///
    /// Each node is a `<g data-node="s0">` (steps) or `<g data-node="e3">`
    /// (events) with a `<title>` holding its label and, a line each, a
    /// step's options (workers, retry, timeout, who catches its failures)
    /// or an event's fields; each edge is a `<g data-from="s0" data-to="e3"
    /// data-kind="sends">` (`accepts`, `gathers`, `returns`, `fans-out`,
    /// `sends`, `writes`, `waits` or `fails`), so that tests and scripts can
    /// find them. [`Graph::to_html`] puts the drawing on a
    /// page with a legend.
    pub fn to_svg(&self) -> String {
        self.svg(None)
    }

    /// The drawing of [`Graph::to_svg`] with `trace`, one run, over it:
    ///
    /// - each step says under its name how many times it ran and how long
    ///   its invocations took in total (`ran 1× · 4 ms`, `ran 3× · 12.4 ms
    ///   in all`); steps that never ran are faded;
    /// - the edges the run took are drawn dark and thick, with how many
    ///   times when more than once (`×3`), and always on fan-outs (`×40`)
    ///   and gathers (`all 40`, the events gathered); the others are faded,
    ///   as are events that never occurred;
    /// - a step that failed is outlined in red, with its error (shortened)
    ///   as a third line; steps where the run ended without failing (still
    ///   running at a timeout or a cancel, the last to finish before a
    ///   stall) are outlined in dashed amber;
    /// - the stop event that ended the run gets a double border.
    ///
    /// The groups of [`Graph::to_svg`] carry the run as classes: a node's
    /// `class` adds `ran`, `idle`, `failed`, `halted` or `stopped`, and an
    /// edge's is `taken` (with `data-count`) or `not-taken`. The SVG's
    /// `<desc>` says how the run ended; [`Graph::to_html_of_run`] says it
    /// at the top of a page.
    ///
    /// Steps and events are matched with the trace by name (see
    /// [`RunTrace::edge_counts`]), so a trace of another workflow draws as
    /// a run that did nothing.
    pub fn to_svg_of_run(&self, trace: &RunTrace) -> String {
        self.svg(Some(&Overlay::of(self, trace)))
    }

    /// The drawing, with `overlay` over it if any.
    pub(super) fn svg(&self, overlay: Option<&Overlay>) -> String {
        let layout = Layout::of(self, self.nodes(overlay));
        let name = escape(self.workflow);
        let mut out = format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" "#,
                r#"viewBox="0 0 {w:.0} {h:.0}" font-family="{font}" font-size="{size}" "#,
                r#"role="img" aria-label="{name}">"#,
                "\n<title>{name}</title>\n",
            ),
            w = layout.size.x.ceil(),
            h = layout.size.y.ceil(),
            font = FONT_FAMILY,
            size = FONT_SIZE,
            name = name,
        );
        if let Some(overlay) = overlay {
            let _ = writeln!(out, "<desc>{}</desc>", escape(&overlay.headline));
        }
        let counts = |index: usize| overlay.map(|overlay| overlay.edges[index]);
        // The edges a run took go on top of those it did not.
        let mut order: Vec<usize> = (0..self.edges.len()).collect();
        order.sort_by_key(|&index| counts(index).is_some_and(|count| count > 0));
        for index in order {
            let route = &layout.routes[index];
            edges::write_edge(&mut out, &self.edges[index], route, counts(index));
        }
        for node in &layout.nodes {
            node.write(&mut out);
        }
        out.push_str("</svg>\n");
        out
    }

    /// Every node, not yet placed: the steps, then the events, with what
    /// `overlay` says the run did there.
    fn nodes(&self, overlay: Option<&Overlay>) -> Vec<Node> {
        let steps = self.steps.iter().enumerate().map(|(index, step)| {
            let run = overlay.map(|overlay| overlay.steps[index].clone());
            Node::new(
                format!("s{index}"),
                Self::step_label(step),
                self.tooltip(true, index),
                NodeKind::Step,
                run,
            )
        });
        let events = self.events.iter().enumerate().map(|(index, event)| {
            let run = overlay.map(|overlay| overlay.events[index].clone());
            let kind = NodeKind::Event(event.role);
            let tooltip = self.tooltip(false, index);
            Node::new(
                format!("e{index}"),
                event.name.to_owned(),
                tooltip,
                kind,
                run,
            )
        });
        steps.chain(events).collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use crate::{
        Edge, EdgeKind, EventNode, EventRole, Graph, RunEnd, RunTrace, StepNode, StepTrace,
    };

    /// A workflow with every role of event, a loop, a step that returns
    /// and sends the same event, one that writes to the stream, one with a
    /// retry policy and a timeout whose failures another catches, and a name
    /// to escape.
    pub(crate) fn sample() -> Graph {
        use EdgeKind::{Accepts, Returns, Sends, Writes};
        let step = |name, num_workers| StepNode {
            name,
            num_workers,
            spawn: false,
            retry: None,
            timeout: None,
            caught_by: None,
            max_recoveries: None,
        };
        let event = |name, role| EventNode {
            name,
            role,
            fields: &[],
        };
        let edge = |step, event, kind| Edge { step, event, kind };
        let work = StepNode {
            retry: Some("3 attempts, 250 ms apart".into()),
            timeout: Some(Duration::from_secs(30)),
            caught_by: Some(2),
            ..step("work", 8)
        };
        let check = StepNode {
            max_recoveries: Some(2),
            ..step("check", 2)
        };
        Graph {
            workflow: r#"Fan<Out> & "Co""#,
            steps: vec![step("split", 1), work, check],
            events: vec![
                event("StartEvent", EventRole::Start),
                EventNode {
                    fields: &[("id", "u64"), ("text", "String")],
                    ..event("Job", EventRole::Routed)
                },
                event("Progress", EventRole::Stream),
                event("Done", EventRole::Routed),
                event("StopEvent", EventRole::Stop),
                event("Log", EventRole::Stream),
            ],
            edges: vec![
                edge(0, 0, Accepts),
                edge(0, 1, Sends),
                edge(1, 1, Accepts),
                edge(1, 3, Returns),
                edge(1, 2, Returns),
                edge(1, 2, Sends),
                edge(2, 3, Accepts),
                edge(2, 3, Returns),
                edge(2, 4, Returns),
                edge(1, 5, Writes),
            ],
        }
    }

    /// The SVG elements of `svg` that open with `start`, each up to the next
    /// line.
    fn elements<'a>(svg: &'a str, start: &'a str) -> impl Iterator<Item = &'a str> {
        svg.lines().filter(move |line| line.starts_with(start))
    }

    #[test]
    fn the_svg_is_a_standalone_document() {
        let svg = sample().to_svg();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width=""#));
        assert!(svg.contains(r#" viewBox="0 0 "#));
        assert!(svg.contains(r#" height=""#));
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn every_step_and_event_is_drawn_with_its_id_and_label() {
        let graph = sample();
        let svg = graph.to_svg();
        let steps = graph.steps.iter().map(Graph::step_label);
        let events = graph.events.iter().map(|event| event.name.to_owned());
        let ids = (0..graph.steps.len())
            .map(|index| format!("s{index}"))
            .chain((0..graph.events.len()).map(|index| format!("e{index}")));
        for (id, label) in ids.zip(steps.chain(events)) {
            let node = format!(r#"data-node="{id}"><title>{label}"#);
            assert!(svg.contains(&node), "{node} is missing");
            assert!(svg.contains(&format!(">{label}</text>")));
        }
        assert_eq!(elements(&svg, "<g class=\"node ").count(), 9);
        let work = concat!(
            r#"data-node="s1"><title>work (8 workers)&#10;workers: 8 at once&#10;"#,
            "retry: 3 attempts, 250 ms apart&#10;timeout: 30 s per attempt&#10;",
            "failures: caught by check</title><rect",
        );
        assert!(svg.contains(work), "{svg}");
        let job = r#"data-node="e1"><title>Job&#10;fields: id: u64, text: String</title>"#;
        assert!(svg.contains(job));
        assert!(svg.contains(r#"class="node stream" data-node="e2""#));
    }

    #[test]
    fn sends_are_dashed_writes_dotted_and_every_edge_has_an_arrowhead() {
        let graph = sample();
        let svg = graph.to_svg();
        let edges: Vec<_> = elements(&svg, "<g data-from=").collect();
        assert_eq!(edges.len(), graph.edges.len());
        let arrowhead = format!(r#" Z" fill="{}"/>"#, super::edges::EDGE_COLOR);
        for edge in edges {
            let dash = if edge.contains(r#"data-kind="sends""#) {
                Some(r#"stroke-dasharray="6 4""#)
            } else if edge.contains(r#"data-kind="writes""#) {
                Some(r#"stroke-dasharray="2 3""#)
            } else {
                None
            };
            match dash {
                Some(dash) => assert!(edge.contains(dash), "{edge}"),
                None => assert!(!edge.contains("stroke-dasharray"), "{edge}"),
            }
            assert!(edge.contains(&arrowhead), "{edge}");
        }
        assert!(svg.contains(r#"<g data-from="s1" data-to="e5" data-kind="writes">"#));
        assert!(svg.contains(r#"<g data-from="s0" data-to="e1" data-kind="sends">"#));
    }

    #[test]
    fn fan_outs_stack_their_arrowheads_and_gathers_are_hollow_both_labelled() {
        let mut graph = sample();
        graph.edges[1].kind = EdgeKind::FansOut;
        graph.edges[6].kind = EdgeKind::Gathers;
        let arrowheads = |edge: &str| edge.matches(r#" Z" fill=""#).count();
        let svg = graph.to_svg();
        let fans = elements(
            &svg,
            r#"<g data-from="s0" data-to="e1" data-kind="fans-out">"#,
        )
        .next()
        .unwrap();
        assert_eq!(arrowheads(fans), 3);
        assert!(fans.contains(">×n</text>"));
        let gathers = elements(
            &svg,
            r#"<g data-from="e3" data-to="s2" data-kind="gathers">"#,
        )
        .next()
        .unwrap();
        assert_eq!(arrowheads(gathers), 1);
        assert!(gathers.contains(r#" stroke="white" stroke-width="1.5"/>"#));
        assert!(gathers.contains(">all</text>"));
        let plain = elements(&svg, r#"<g data-from="e1" data-to="s1""#)
            .next()
            .unwrap();
        assert_eq!(arrowheads(plain), 1);
        assert!(!plain.contains("<text"));

        // In a run, they say how many events they made and gathered.
        let svg = graph.to_svg_of_run(&sample_trace());
        let fans = elements(
            &svg,
            r#"<g data-from="s0" data-to="e1" data-kind="fans-out""#,
        )
        .next()
        .unwrap();
        assert!(fans.contains(">×2</text>"), "{fans}");
        let gathers = elements(
            &svg,
            r#"<g data-from="e3" data-to="s2" data-kind="gathers""#,
        )
        .next()
        .unwrap();
        assert!(gathers.contains(r#"data-count="1""#), "{gathers}");
        assert!(gathers.contains(">all 1</text>"), "{gathers}");
    }

    #[test]
    fn edges_between_the_same_nodes_take_different_paths() {
        let svg = sample().to_svg();
        let path = |from: &str, to: &str, kind: &str| {
            let start =
                format!(r#"<g data-from="{from}" data-to="{to}" data-kind="{kind}"><path d=""#);
            let line = elements(&svg, &start).next().unwrap();
            line[start.len()..].split('"').next().unwrap().to_owned()
        };
        assert_ne!(path("e3", "s2", "accepts"), path("s2", "e3", "returns"));
        assert_ne!(path("s1", "e2", "returns"), path("s1", "e2", "sends"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x">Tom & Jerry</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;"
        );
        let svg = sample().to_svg();
        assert!(svg.contains("<title>Fan&lt;Out&gt; &amp; &quot;Co&quot;</title>"));
        assert!(!svg.contains("Fan<Out>"));
    }

    /// A run of [`sample`]: `split` sends two jobs, `work` runs twice and
    /// writes three logs, and `check` fails with an error to escape, on two
    /// lines.
    pub(crate) fn sample_trace() -> RunTrace {
        let counts = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
            pairs
                .iter()
                .map(|&(name, count)| (name.to_owned(), count))
                .collect()
        };
        let step = |name: &str, runs: usize, accepted, produced| StepTrace {
            name: name.into(),
            started: runs,
            finished: runs,
            duration: Duration::from_micros(12_400),
            accepted: counts(accepted),
            produced: counts(produced),
            ..StepTrace::default()
        };
        let error = "<bad> & \"worse\"\nsecond line";
        let check = StepTrace {
            finished: 0,
            failed: 1,
            error: Some(error.into()),
            ..step("check", 1, &[("Done", 1)], &[])
        };
        RunTrace {
            steps: vec![
                step("split", 1, &[("StartEvent", 1)], &[("Job", 2)]),
                StepTrace {
                    written: counts(&[("Log", 3)]),
                    ..step("work", 2, &[("Job", 2)], &[("Progress", 2), ("Done", 1)])
                },
                check,
            ],
            ended: Some(RunEnd::Failed {
                step: "check".into(),
                event: "Done".into(),
                error: error.into(),
            }),
            ..RunTrace::new()
        }
    }

    #[test]
    fn a_run_marks_every_node_and_edge_and_keeps_each_on_one_line() {
        let svg = sample().to_svg_of_run(&sample_trace());
        let nodes: Vec<_> = elements(&svg, "<g class=\"node ").collect();
        let classes: Vec<_> = nodes
            .iter()
            .map(|node| node.split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            classes,
            [
                "node step ran",
                "node step ran",
                "node step failed",
                "node start ran",
                "node event ran",
                "node stream ran",
                "node event ran",
                "node stop idle",
                "node stream ran",
            ]
        );
        assert!(nodes[0].contains(">ran 1× · 12.4 ms</text>"));
        assert!(nodes[1].contains(">ran 2× · 12.4 ms in all</text>"));
        assert!(nodes[2].contains(r#"<text class="error" "#));
        assert!(nodes[2].contains(">✗ &lt;bad&gt; &amp; &quot;worse&quot; second line</text>"));
        assert!(
            nodes[2]
                .contains("failed: &lt;bad&gt; &amp; &quot;worse&quot;&#10;second line</title>")
        );
        assert!(nodes[7].contains(&format!(
            r#" opacity="{}""#,
            super::super::style::FADED_OPACITY
        )));
        assert_eq!(elements(&svg, "<g data-from=").count(), 10);
        assert!(svg.contains("<desc>Failed in check: &lt;bad&gt;"));
    }

    #[test]
    fn taken_edges_are_strong_and_drawn_over_the_faded_others() {
        let svg = sample().to_svg_of_run(&sample_trace());
        let edges: Vec<_> = elements(&svg, "<g data-from=").collect();
        let taken = |edge: &&str| edge.contains(r#" class="taken""#);
        let first_taken = edges.iter().position(taken).unwrap();
        assert!(
            edges[..first_taken]
                .iter()
                .all(|edge| edge.contains(r#" class="not-taken""#))
        );
        assert!(edges[first_taken..].iter().all(taken));
        assert_eq!(first_taken, 2, "check returns Done and Stop: not taken");
        for edge in &edges[first_taken..] {
            assert!(
                edge.contains(r##"stroke="#202124" stroke-width="2.5""##),
                "{edge}"
            );
        }
        let sends =
            r#"<g data-from="s0" data-to="e1" data-kind="sends" class="taken" data-count="2">"#;
        let sends = edges.iter().find(|edge| edge.starts_with(sends)).unwrap();
        assert!(sends.contains(">×2</text>"));
        let once = edges
            .iter()
            .find(|edge| edge.contains(r#"data-count="1""#))
            .unwrap();
        assert!(
            !once.contains("<text"),
            "a count of one goes without saying"
        );
    }

    #[test]
    fn a_run_that_stopped_rings_its_stop_event() {
        let mut trace = sample_trace();
        trace.ended = Some(RunEnd::Stopped);
        let svg = sample().to_svg_of_run(&trace);
        let stop = elements(&svg, "<g class=\"node stop stopped\" data-node=\"e4\">")
            .next()
            .unwrap();
        assert_eq!(stop.matches("<ellipse").count(), 2);
        assert!(stop.contains(r#"font-weight="bold">StopEvent</text>"#));
    }

    #[test]
    fn a_trace_of_nothing_draws_every_node_faded() {
        let svg = sample().to_svg_of_run(&RunTrace::new());
        assert_eq!(elements(&svg, "<g class=\"node ").count(), 9);
        assert_eq!(elements(&svg, "<g class=\"node step idle\"").count(), 3);
        assert!(!svg.contains(r#"class="taken""#));
        assert!(svg.contains("<desc>Not ended"));
    }
}
