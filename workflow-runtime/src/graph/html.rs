//! [`Graph`] as a self-contained HTML page, and [`draw_all_possible_flows`]
//! to write one.

use std::fmt::Write;
use std::path::Path;

use super::style::NodeKind;
use super::svg::{FONT_FAMILY, edge_swatch, escape, node_swatch};
use super::{EdgeKind, EventRole, Graph};
use crate::workflow::Workflow;

/// The legend's entries for nodes.
const NODE_LEGEND: [(NodeKind, &str); 5] = [
    (NodeKind::Step, "step"),
    (NodeKind::Event(EventRole::Start), "start event"),
    (NodeKind::Event(EventRole::Routed), "event"),
    (NodeKind::Event(EventRole::Stop), "stop event"),
    (NodeKind::Event(EventRole::Stream), "stream event"),
];

/// The legend's entries for edges.
const EDGE_LEGEND: [(EdgeKind, &str); 2] = [
    (EdgeKind::Returns, "accepts / returns"),
    (EdgeKind::Sends, "sends"),
];

impl Graph {
    /// A self-contained HTML page showing the graph: the workflow's name,
    /// a legend and the drawing of [`Graph::to_svg`]. Its CSS is inline, and
    /// it has no scripts and loads nothing, so it opens offline in any
    /// browser. [`draw_all_possible_flows`] writes it to a file.
    pub fn to_html(&self) -> String {
        let name = escape(self.workflow);
        let mut legend = String::new();
        let swatches = NODE_LEGEND
            .iter()
            .map(|&(kind, label)| (node_swatch(kind), label))
            .chain(
                EDGE_LEGEND
                    .iter()
                    .map(|&(kind, label)| (edge_swatch(kind), label)),
            );
        for (swatch, label) in swatches {
            let _ = writeln!(legend, "<li>{swatch}<span>{label}</span></li>");
        }
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<style>
body {{ margin: 24px; font-family: {FONT_FAMILY}; color: #202124; background: #fff; }}
h1 {{ font-size: 22px; margin: 0 0 12px; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 6px 20px; list-style: none; margin: 0 0 16px; padding: 0; font-size: 14px; }}
.legend li {{ display: flex; align-items: center; gap: 6px; }}
.graph {{ overflow: auto; }}
</style>
</head>
<body>
<h1>{name}</h1>
<ul class="legend">
{legend}</ul>
<div class="graph">
{svg}</div>
</body>
</html>
"#,
            svg = self.to_svg(),
        )
    }
}

/// Writes the graph of `W` to `path` as a self-contained HTML page (see
/// [`Graph::to_html`]): every step and event of the workflow and how they
/// connect, laid out top to bottom. Open the file in a browser.
///
/// ```
/// use workflows::prelude::*;
///
/// #[derive(Debug, Clone, Serialize, Deserialize, Event)]
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
/// workflows::graph::draw_all_possible_flows::<Hello>(&path)?;
/// let page = std::fs::read_to_string(&path)?;
/// assert!(page.contains("<h1>Hello</h1>"));
/// assert!(page.contains(r#"data-node="s1""#));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn draw_all_possible_flows<W: Workflow>(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::write(path, Graph::of::<W>().to_html())
}

#[cfg(test)]
mod tests {
    use crate::graph::svg::tests::sample;

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
        ] {
            assert!(html.contains(&format!("<span>{label}</span>")), "{label}");
        }
        assert!(html.contains(&sample().to_svg()));
    }

    #[test]
    fn the_page_loads_nothing_and_runs_nothing() {
        let html = sample().to_html();
        let xmlns = r#"xmlns="http://www.w3.org/2000/svg""#;
        assert_eq!(html.matches(xmlns).count(), 1);
        let rest = html.replace(xmlns, "");
        for banned in ["http://", "https://", "<script", "url(", "<link", "@import"] {
            assert!(!rest.contains(banned), "{banned}");
        }
    }
}
