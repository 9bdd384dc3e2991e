//! [`Graph`] as a self-contained HTML page, alone or with a run over it,
//! and [`draw_all_possible_flows`] and [`draw_most_recent_execution`] to
//! write one.

use std::fmt::Write;
use std::path::Path;

use super::overlay::Overlay;
use super::style::{Mark, NodeKind};
use super::svg::{FONT_FAMILY, edge_swatch, escape, node_swatch};
use super::trace::RunTrace;
use super::{EdgeKind, EventRole, Graph};
use workflow_model::Blueprint;

/// The legend's entries for nodes.
const NODE_LEGEND: [(NodeKind, &str); 6] = [
    (NodeKind::Step, "step"),
    (NodeKind::Event(EventRole::Start), "start event"),
    (NodeKind::Event(EventRole::Input), "input event"),
    (NodeKind::Event(EventRole::Routed), "event"),
    (NodeKind::Event(EventRole::Stop), "stop event"),
    (NodeKind::Event(EventRole::Stream), "stream event"),
];

/// The legend's entries for edges: the swatch's kind, its label, and the
/// kinds of edge it stands for.
const EDGE_LEGEND: [(EdgeKind, &str, &[EdgeKind]); 7] = [
    (
        EdgeKind::Returns,
        "accepts / returns",
        &[EdgeKind::Accepts, EdgeKind::Returns],
    ),
    (
        EdgeKind::FansOut,
        "fans out: a branch each",
        &[EdgeKind::FansOut],
    ),
    (
        EdgeKind::Gathers,
        "gathers every branch",
        &[EdgeKind::Gathers],
    ),
    (EdgeKind::Sends, "sends", &[EdgeKind::Sends]),
    (
        EdgeKind::Writes,
        "writes to the stream",
        &[EdgeKind::Writes],
    ),
    (EdgeKind::Waits, "waits for", &[EdgeKind::Waits]),
    (EdgeKind::Fails, "fails to", &[EdgeKind::Fails]),
];

/// The page's style, but for its font.
const PAGE_STYLE: &str = include_str!("page.css");

/// The page's script: pan, zoom and the details of a clicked node.
const PAGE_SCRIPT: &str = include_str!("page.js");

/// The legend's entries for what a run did at a node, each shown when the
/// drawing has such a node.
const MARK_LEGEND: [(NodeKind, Mark, &str); 4] = [
    (NodeKind::Step, Mark::Idle, "did not run"),
    (NodeKind::Step, Mark::Failed, "failed"),
    (NodeKind::Step, Mark::Halted, "where the run halted"),
    (
        NodeKind::Event(EventRole::Stop),
        Mark::Stopped,
        "ended the run",
    ),
];

/// The style of what the page of a run adds: the headline, colored by how
/// the run ended, and the summary under it.
const RUN_STYLE: &str = "\
.outcome { display: inline-block; margin: 0 0 6px; padding: 6px 12px; border-left: 6px solid; border-radius: 4px; font-size: 17px; font-weight: bold; overflow-wrap: anywhere; }
.outcome.stopped { background: #e6f4ea; color: #0d652d; border-color: #188038; }
.outcome.failed { background: #fce8e6; color: #a50e0e; border-color: #d93025; }
.outcome.halted { background: #fef7e0; color: #7a4100; border-color: #e37400; }
.outcome.unknown { background: #f1f3f4; color: #3c4043; border-color: #80868b; }
.summary { margin: 0 0 14px; font-size: 14px; color: #5f6368; }
.legend .caption { font-weight: bold; }
";

impl Graph {
    /// A self-contained HTML page showing the graph: the workflow's name,
    /// a legend of the kinds of node and edge it has, and the drawing of
    /// [`Graph::to_svg`], which can be dragged and zoomed (with the wheel,
    /// the `+` and `−` buttons or keys, `Fit` or `0` to fit it in view).
    /// A click on a step shows its details beside the drawing: the events it
    /// takes, returns, sends and writes, its workers, retry policy, timeout,
    /// and which step catches its failures or whose it catches; on an event,
    /// its fields and the steps it goes between. Its CSS and its small
    /// script are inline, and it loads nothing, so it opens offline in any
    /// browser; without scripts it shows the drawing and every node's
    /// details under it. [`draw_all_possible_flows`] writes it to a file.
    pub fn to_html(&self) -> String {
        self.page(None)
    }

    /// The page of [`Graph::to_html`] for one run: how the run ended at the
    /// top (`Stopped`, `Failed in step_two: connection refused`, `Timed out
    /// after 30 s with step_two running`, `Cancelled`), then its numbers
    /// (its wall time, and the time its steps took summed over their
    /// invocations, more than the wall time when they ran at once), a
    /// legend that explains the run's marks as well, and the drawing of
    /// [`Graph::to_svg_of_run`]. Each node's details end with what the run
    /// did there. [`draw_most_recent_execution`] writes it to a file.
    pub fn to_html_of_run(&self, trace: &RunTrace) -> String {
        self.page(Some(&Overlay::of(self, trace)))
    }

    /// The page, with `overlay` over the drawing if any.
    fn page(&self, overlay: Option<&Overlay>) -> String {
        let name = escape(self.workflow);
        let legend = legend_items(self.legend_swatches());
        let (title, style, outcome, run_legend) = match overlay {
            None => (name.clone(), "", String::new(), String::new()),
            Some(overlay) => (
                format!("{name}: most recent run"),
                RUN_STYLE,
                format!(
                    "<p class=\"outcome {}\" role=\"status\">{}</p>\n<p class=\"summary\">{}</p>\n",
                    overlay.tone,
                    escape(&overlay.headline),
                    escape(&overlay.summary),
                ),
                format!(
                    "<ul class=\"legend run\">\n<li class=\"caption\">This run:</li>\n{}</ul>\n",
                    legend_items(run_swatches(overlay)),
                ),
            ),
        };
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {FONT_FAMILY}; }}
{PAGE_STYLE}{style}</style>
</head>
<body>
<header>
<h1>{name}</h1>
{outcome}<ul class="legend">
{legend}</ul>
{run_legend}</header>
<main>
<div class="graph" id="graph" tabindex="0" aria-label="The drawing: drag to move it, zoom with the wheel or the + and − keys">
<div class="tools"><button type="button" id="zoom-out" title="Zoom out (−)" aria-label="Zoom out">−</button><output id="zoom-level">100 %</output><button type="button" id="zoom-in" title="Zoom in (+)" aria-label="Zoom in">+</button><button type="button" id="zoom-fit" title="Fit the drawing in view (0)">Fit</button></div>
<div class="stage" id="stage">
{svg}</div>
</div>
<aside class="details" aria-live="polite">
<p class="hint" id="hint">Click a step or an event to see its details: a step's workers, retry, timeout and failures, an event's fields. Drag the drawing to move it; zoom with the wheel or the buttons.</p>
{details}</aside>
</main>
<script>
{PAGE_SCRIPT}</script>
</body>
</html>
"#,
            svg = self.svg(overlay),
            details = self.details(overlay),
        )
    }

    /// The legend's swatches: one for each kind of node and edge the graph
    /// has, and no others.
    fn legend_swatches(&self) -> impl Iterator<Item = (String, &'static str)> + '_ {
        let nodes = NODE_LEGEND
            .iter()
            .filter(|(kind, _)| match kind {
                NodeKind::Step => !self.steps.is_empty(),
                NodeKind::Event(role) => self.events.iter().any(|event| event.role == *role),
            })
            .map(|&(kind, label)| (node_swatch(kind, None), label));
        let edges = EDGE_LEGEND
            .iter()
            .filter(|(_, _, kinds)| self.edges.iter().any(|edge| kinds.contains(&edge.kind)))
            .map(|&(kind, label, _)| (edge_swatch(kind, None), label));
        nodes.chain(edges)
    }
}

/// The swatches of the run's legend: edges taken and not, and each mark
/// that the drawing has.
fn run_swatches(overlay: &Overlay) -> impl Iterator<Item = (String, &'static str)> + '_ {
    let taken = (edge_swatch(EdgeKind::Returns, Some(1)), "taken");
    let not_taken = overlay
        .edges
        .contains(&0)
        .then(|| (edge_swatch(EdgeKind::Returns, Some(0)), "not taken"));
    let marks = MARK_LEGEND
        .iter()
        .filter(|(_, mark, _)| overlay.has(*mark))
        .map(|&(kind, mark, label)| (node_swatch(kind, Some(mark)), label));
    [taken].into_iter().chain(not_taken).chain(marks)
}

/// The legend's `<li>`s, one line each.
fn legend_items(swatches: impl Iterator<Item = (String, &'static str)>) -> String {
    let mut items = String::new();
    for (swatch, label) in swatches {
        let _ = writeln!(items, "<li>{swatch}<span>{label}</span></li>");
    }
    items
}

/// Writes the graph of `W` to `path` as a self-contained HTML page (see
/// [`Graph::to_html`]): every step and event of the workflow and how they
/// connect, laid out top to bottom. Open the file in a browser.
///
/// ```
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
/// let path = std::env::temp_dir().join("hello_workflow.html");
/// typed_workflows::graph::draw_all_possible_flows::<Hello>(&path)?;
/// let page = std::fs::read_to_string(&path)?;
/// assert!(page.contains("<h1>Hello</h1>"));
/// assert!(page.contains(r#"data-node="s1""#));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn draw_all_possible_flows<W: Blueprint>(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::write(path, Graph::of::<W>().to_html())
}

/// Writes the graph of `W` with `trace`, one of its runs, over it to `path`
/// as a self-contained HTML page (see [`Graph::to_html_of_run`]): the page
/// of [`draw_all_possible_flows`] with the path the run took, how many times
/// each step ran and for how long, and where the run ended, said at the top.
/// [`RunTrace`] shows how to record a run.
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::AnyEvent;
/// use typed_workflows::graph::{RunEnd, RunTrace, draw_most_recent_execution};
/// use typed_workflows::anyhow::bail;
/// use typed_workflows::observe::{StepFailed, StepStarted};
/// use typed_workflows::prelude::*;
///
/// struct Fetch;
///
/// #[workflow_impl]
/// impl Fetch {
///     #[step]
///     async fn fetch(&self, _start: StartEvent) -> Result<StopEvent<String>> {
///         bail!("connection refused")
///     }
/// }
///
/// // A run as its observer events told it, and how it ended.
/// let mut trace: RunTrace = [
///     AnyEvent::new(StepStarted {
///         step: "fetch".into(),
///         event: "StartEvent".into(),
///         at: Duration::ZERO,
///     }),
///     AnyEvent::new(StepFailed {
///         step: "fetch".into(),
///         event: "StartEvent".into(),
///         duration: Duration::from_millis(40),
///         at: Duration::from_millis(40),
///         error: "connection refused".into(),
///     }),
/// ]
/// .into_iter()
/// .collect();
/// trace.ended = Some(RunEnd::Failed {
///     step: "fetch".into(),
///     event: "StartEvent".into(),
///     error: "connection refused".into(),
/// });
///
/// let path = std::env::temp_dir().join("fetch_run.html");
/// draw_most_recent_execution::<Fetch>(&trace, &path)?;
/// let page = std::fs::read_to_string(&path)?;
/// assert!(page.contains("Failed in fetch: connection refused"));
/// assert!(page.contains(r#"<g class="node step failed" data-node="s0""#));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn draw_most_recent_execution<W: Blueprint>(
    trace: &RunTrace,
    path: impl AsRef<Path>,
) -> std::io::Result<()> {
    std::fs::write(path, Graph::of::<W>().to_html_of_run(trace))
}

#[cfg(test)]
mod tests {
    use crate::svg::tests::{sample, sample_trace};
    use crate::{EdgeKind, RunEnd};

    #[test]
    fn the_page_has_the_name_the_legend_and_the_drawing() {
        let html = sample().to_html();
        let name = "Fan&lt;Out&gt; &amp; &quot;Co&quot;";
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<title>{name}</title>")));
        assert!(html.contains(&format!("<h1>{name}</h1>")));
        assert!(!html.contains("Fan<Out>"));
        for label in [
            "step",
            "start event",
            "event",
            "stop event",
            "stream event",
            "sends",
            "writes to the stream",
        ] {
            assert!(html.contains(&format!("<span>{label}</span>")), "{label}");
        }
        assert!(html.contains(&sample().to_svg()));
    }

    #[test]
    fn the_page_loads_nothing_and_its_one_script_is_inline() {
        for html in [sample().to_html(), sample().to_html_of_run(&sample_trace())] {
            let xmlns = r#"xmlns="http://www.w3.org/2000/svg""#;
            assert_eq!(html.matches(xmlns).count(), 1);
            let rest = html.replace(xmlns, "");
            for banned in [
                "http://",
                "https://",
                "src=",
                "href=",
                "url(",
                "<link",
                "@import",
                "fetch(",
                "XMLHttpRequest",
                "import(",
            ] {
                assert!(!rest.contains(banned), "{banned}");
            }
            assert_eq!(html.matches("<script").count(), 1);
            assert!(html.contains(&format!("<script>\n{}</script>", super::PAGE_SCRIPT)));
        }
    }

    #[test]
    fn the_legend_lists_only_what_the_graph_has() {
        let legend = |html: &str| {
            let start = html.find(r#"<ul class="legend">"#).unwrap();
            let end = start + html[start..].find("</ul>").unwrap();
            let spans = html[start..end].split("<span>").skip(1);
            spans
                .map(|span| span.split('<').next().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            legend(&sample().to_html()),
            [
                "step",
                "start event",
                "event",
                "stop event",
                "stream event",
                "accepts / returns",
                "sends",
                "writes to the stream"
            ]
        );
        let mut fan = sample();
        fan.edges[1].kind = EdgeKind::FansOut;
        fan.edges[6].kind = EdgeKind::Gathers;
        fan.edges.truncate(7);
        fan.events.truncate(4);
        fan.edges.retain(|edge| edge.event < 4);
        assert_eq!(
            legend(&fan.to_html()),
            [
                "step",
                "start event",
                "event",
                "stream event",
                "accepts / returns",
                "fans out: a branch each",
                "gathers every branch",
                "sends"
            ]
        );
    }

    #[test]
    fn the_page_has_the_tools_and_the_details_of_every_node() {
        let html = sample().to_html();
        for id in [
            "zoom-in",
            "zoom-out",
            "zoom-fit",
            "zoom-level",
            "stage",
            "graph",
            "hint",
        ] {
            assert!(html.contains(&format!(r#" id="{id}""#)), "{id}");
        }
        for node in ["s0", "s1", "s2", "e0", "e5"] {
            assert!(
                html.contains(&format!(r#"<section data-for="{node}">"#)),
                "{node}"
            );
        }
        let stage = format!(
            "<div class=\"stage\" id=\"stage\">\n{}</div>",
            sample().to_svg()
        );
        assert!(html.contains(&stage));
    }

    #[test]
    fn the_page_of_a_run_says_how_it_ended_first() {
        let html = sample().to_html_of_run(&sample_trace());
        let name = "Fan&lt;Out&gt; &amp; &quot;Co&quot;";
        assert!(html.contains(&format!("<title>{name}: most recent run</title>")));
        let outcome = concat!(
            r#"<h1>Fan&lt;Out&gt; &amp; &quot;Co&quot;</h1>"#,
            "\n",
            r#"<p class="outcome failed" role="status">Failed in check: "#,
            "&lt;bad&gt; &amp; &quot;worse&quot;&#10;second line</p>\n",
            r#"<p class="summary">Wall time not recorded · step time 37.2 ms, "#,
            r#"summed over 4 invocations · 3 of 3 steps ran.</p>"#,
        );
        assert!(html.contains(outcome), "{html}");
        assert!(html.contains(".outcome.failed {"));
        assert!(html.contains(&sample().to_svg_of_run(&sample_trace())));
    }

    #[test]
    fn the_legend_of_a_run_has_the_marks_the_drawing_has() {
        let legend = |html: &str| {
            let start = html.find(r#"<ul class="legend run">"#).unwrap();
            let end = start + html[start..].find("</ul>").unwrap();
            let spans = html[start..end].split("<span>").skip(1);
            spans
                .map(|span| span.split('<').next().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let failed = sample().to_html_of_run(&sample_trace());
        assert_eq!(
            legend(&failed),
            ["taken", "not taken", "did not run", "failed"]
        );
        let mut trace = sample_trace();
        trace.steps.pop();
        trace.ended = Some(RunEnd::Stopped);
        let stopped = sample().to_html_of_run(&trace);
        assert_eq!(
            legend(&stopped),
            ["taken", "not taken", "did not run", "ended the run"]
        );
    }

    #[test]
    fn the_page_of_the_graph_alone_has_nothing_of_a_run() {
        let html = sample().to_html();
        for run in ["outcome", "legend run", "This run", "taken", "<desc>"] {
            assert!(!html.contains(run), "{run}");
        }
    }
}
