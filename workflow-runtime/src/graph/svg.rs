//! [`Graph`] drawn as a standalone SVG document. `layout-rs` places the
//! nodes top to bottom and routes the edges; the drawing itself is written
//! here, so that steps and each role of event get their own shape and colors.
//! The legend's swatches live here too, for the HTML page.

use std::fmt::Write;

use layout::adt::dag::NodeHandle;
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::style::{NodeKind, Palette};
use super::{EdgeKind, EventRole, Graph};

/// The font of every label, on the page as in the drawing.
pub(super) const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
/// The size of every label, in pixels.
const FONT_SIZE: f64 = 14.0;
/// The height of every node.
const NODE_HEIGHT: f64 = 40.0;
/// Space between the text of a step and its border, on each side.
const STEP_PADDING: f64 = 16.0;
/// The space layout-rs keeps between nodes: side by side, and from one row
/// to the next.
const GAP: (f64, f64) = (40.0, 44.0);
/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// The color of edges and their arrowheads.
const EDGE_COLOR: &str = "#5f6368";
/// The width of edges and node borders.
const LINE_WIDTH: f64 = 1.5;
/// How far [`bow`] moves the middle of an edge to the side.
const BOW: f64 = 9.0;
/// The length and half the width of an arrowhead.
const ARROWHEAD: (f64, f64) = (10.0, 4.5);

/// One cubic Bézier segment: start, two control points, end.
type Cubic = [Point; 4];

impl NodeKind {
    /// The size of a node of this kind that holds `label`.
    fn size(self, label: &str) -> Point {
        let text = text_width(label);
        match self {
            Self::Step => Point::new(text + 2.0 * STEP_PADDING, NODE_HEIGHT),
            // Wide enough for the text's corners to stay inside the ellipse.
            Self::Event(_) => Point::new(1.15 * text + 28.0, NODE_HEIGHT),
        }
    }

    /// The layout-rs shape on whose border the edges end.
    fn layout_shape(self, label: &str) -> ShapeKind {
        match self {
            Self::Step => ShapeKind::new_box(label),
            Self::Event(_) => ShapeKind::new_circle(label),
        }
    }

    /// Writes the node's outline, centered on `center`.
    fn write_shape(self, out: &mut String, center: Point, size: Point) {
        let Palette { fill, stroke, .. } = self.palette();
        let paint = format!(r#"fill="{fill}" stroke="{stroke}" stroke-width="{LINE_WIDTH}""#);
        let _ = match self {
            Self::Step => write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" {paint}/>"#,
                center.x - size.x / 2.0,
                center.y - size.y / 2.0,
                size.x,
                size.y,
            ),
            Self::Event(role) => write!(
                out,
                r#"<ellipse cx="{:.1}" cy="{:.1}" rx="{:.1}" ry="{:.1}" {paint}{}/>"#,
                center.x,
                center.y,
                size.x / 2.0,
                size.y / 2.0,
                if role == EventRole::Stream {
                    r#" stroke-dasharray="5 3""#
                } else {
                    ""
                },
            ),
        };
    }
}

/// A guess at the width of `text` at [`FONT_SIZE`], on the generous side for
/// the common sans-serif fonts (DejaVu Sans is the widest of them), since the
/// real width is only known to the browser.
fn text_width(text: &str) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' => 0.42,
            'm' | 'w' | 'M' | 'W' => 0.95,
            c if c.is_uppercase() => 0.75,
            _ => 0.64,
        })
        .sum();
    ems * FONT_SIZE
}

/// `text` with `&`, `<`, `>` and `"` escaped, for SVG and HTML text and
/// attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A node of the drawing and where the layout put it.
struct Node {
    /// `s0`, `e3`: as in Mermaid and DOT.
    id: String,
    label: String,
    kind: NodeKind,
    center: Point,
    size: Point,
}

impl Node {
    /// Writes the node: a group of its title, outline and label.
    fn write(&self, out: &mut String) {
        let label = escape(&self.label);
        let _ = write!(
            out,
            r#"<g class="node {}" data-node="{}"><title>{label}</title>"#,
            self.kind.class(),
            self.id,
        );
        self.kind.write_shape(out, self.center, self.size);
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" dominant-baseline="central" fill="{}">{label}</text></g>"#,
            self.center.x,
            self.center.y,
            self.kind.palette().text,
        );
    }
}

/// The whole drawing: every node placed, every edge routed.
struct Layout {
    nodes: Vec<Node>,
    /// The route of each of [`Graph::edges`], in the direction of the flow.
    routes: Vec<Vec<Cubic>>,
    /// Width and height, margins included.
    size: Point,
}

impl Layout {
    /// Lays `graph` out top to bottom.
    fn of(graph: &Graph) -> Self {
        let mut nodes = graph.nodes();
        let mut visual = VisualGraph::new(Orientation::TopToBottom);
        let handles: Vec<NodeHandle> = nodes
            .iter()
            .map(|node| {
                visual.add_node(Element {
                    shape: node.kind.layout_shape(&node.label),
                    pos: Position::new(
                        Point::zero(),
                        node.size,
                        Point::zero(),
                        Point::new(GAP.0, GAP.1),
                    ),
                    look: StyleAttr::simple(),
                    orientation: Orientation::TopToBottom,
                    properties: None,
                })
            })
            .collect();
        let handle = |id: String| handles[nodes.iter().position(|node| node.id == id).unwrap()];
        for (index, edge) in graph.edges.iter().enumerate() {
            let (from, to) = edge.ends();
            let arrow = Arrow::simple_with_properties("", index.to_string());
            visual.add_edge(arrow, handle(from), handle(to));
        }
        let mut routes = Routes(vec![Vec::new(); graph.edges.len()]);
        visual.do_it(false, false, false, &mut routes);
        bow_shared(graph, &mut routes.0);
        for (node, handle) in nodes.iter_mut().zip(handles) {
            node.center = visual.pos(handle).center();
        }
        let mut layout = Self {
            nodes,
            routes: routes.0,
            size: Point::zero(),
        };
        layout.fit();
        layout
    }

    /// Moves everything into view, [`MARGIN`] from the top left, and sizes
    /// the drawing to match.
    fn fit(&mut self) {
        let corners = self.nodes.iter().flat_map(|node| {
            let half = node.size.scale(0.5);
            [node.center.sub(half), node.center.add(half)]
        });
        let controls = self.routes.iter().flatten().flatten().copied();
        let (min, max) = corners.chain(controls).fold(
            (Point::splat(f64::INFINITY), Point::splat(f64::NEG_INFINITY)),
            |(min, max), p| {
                (
                    Point::new(min.x.min(p.x), min.y.min(p.y)),
                    Point::new(max.x.max(p.x), max.y.max(p.y)),
                )
            },
        );
        let shift = Point::splat(MARGIN).sub(min);
        for node in &mut self.nodes {
            node.center = node.center.add(shift);
        }
        for point in self.routes.iter_mut().flatten().flatten() {
            *point = point.add(shift);
        }
        self.size = max.sub(min).add(Point::splat(2.0 * MARGIN));
    }
}

/// Catches the edge routes layout-rs computes while it renders. Each arrow
/// carries its index into [`Graph::edges`] as its `properties`. The shapes
/// layout-rs would draw are left out: [`Graph::to_svg`] draws its own.
struct Routes(Vec<Vec<Cubic>>);

impl RenderBackend for Routes {
    fn draw_rect(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
        _: Option<ClipHandle>,
    ) {
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        (reversed, _): (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        let index: usize = properties
            .and_then(|index| index.parse().ok())
            .expect("every arrow carries its edge's index");
        let mut route = cubics(path);
        // layout-rs turns edges that close a cycle around, and moves their
        // arrowhead to the start.
        if reversed {
            route.reverse();
            route.iter_mut().for_each(|cubic| cubic.reverse());
        }
        self.0[index] = route;
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// A layout-rs path as cubic segments. The path is its start and the control
/// point leaving it, then for each later point the control point entering it
/// and the point; the control point leaving an inner point mirrors the one
/// entering it, as in SVG's `S` command.
fn cubics(path: &[(Point, Point)]) -> Vec<Cubic> {
    let (mut start, mut leaving) = path[0];
    path[1..]
        .iter()
        .map(|&(entering, end)| {
            let cubic = [start, leaving, entering, end];
            (start, leaving) = (end, end.add(end.sub(entering)));
            cubic
        })
        .collect()
}

/// Bends apart the edges layout-rs routes along one line: those between the
/// same step and event (a step that returns the event it accepts, or
/// returns and sends it) when they are one segment long; longer ones go
/// through rows apart already. Accepts and returns edges bow to their own
/// left, which for edges running both ways are opposite sides; a sends edge
/// stays straight.
fn bow_shared(graph: &Graph, routes: &mut [Vec<Cubic>]) {
    for (edge, route) in graph.edges.iter().zip(routes) {
        let ends = (edge.step, edge.event);
        let mut alike = graph
            .edges
            .iter()
            .filter(|other| (other.step, other.event) == ends);
        if edge.kind == EdgeKind::Sends || alike.nth(1).is_none() {
            continue;
        }
        if let [cubic] = route.as_mut_slice() {
            bow(cubic);
        }
    }
}

/// Makes `cubic` an arc whose middle is [`BOW`] to the left of its chord.
fn bow(cubic: &mut Cubic) {
    let [start, .., end] = *cubic;
    let third = end.sub(start).scale(1.0 / 3.0);
    // A cubic's middle is 3/4 of the way from its chord to its control points.
    let side = Point::new(third.y, -third.x).scale(BOW * 4.0 / 3.0 / third.length());
    cubic[1] = start.add(third).add(side);
    cubic[2] = end.sub(third).add(side);
}

/// Writes an edge along `route`: its line, dashed for sends, and an
/// arrowhead at its end.
fn write_edge(out: &mut String, route: &[Cubic], kind: EdgeKind) {
    let mut d = String::new();
    for (index, [start, first, second, end]) in route.iter().enumerate() {
        if index == 0 {
            let _ = write!(d, "M{:.1} {:.1}", start.x, start.y);
        }
        let _ = write!(
            d,
            " C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
            first.x, first.y, second.x, second.y, end.x, end.y,
        );
    }
    let dash = match kind {
        EdgeKind::Accepts | EdgeKind::Returns => "",
        EdgeKind::Sends => r#" stroke-dasharray="6 4""#,
    };
    let _ = write!(
        out,
        r#"<path d="{d}" fill="none" stroke="{EDGE_COLOR}" stroke-width="{LINE_WIDTH}"{dash}/>"#
    );
    if let Some(&[start, _, second, tip]) = route.last() {
        write_arrowhead(out, tip, if second == tip { start } else { second });
    }
}

/// Writes an arrowhead with its point on `tip`, coming from `from`.
fn write_arrowhead(out: &mut String, tip: Point, from: Point) {
    let (length, half_width) = ARROWHEAD;
    let along = tip.sub(from);
    let along = along.scale(1.0 / along.length());
    let base = tip.sub(along.scale(length));
    let across = Point::new(-along.y, along.x).scale(half_width);
    let (left, right) = (base.add(across), base.sub(across));
    let _ = write!(
        out,
        r#"<path d="M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{EDGE_COLOR}"/>"#,
        tip.x, tip.y, left.x, left.y, right.x, right.y,
    );
}

impl Graph {
    /// The graph drawn as a standalone SVG document, top to bottom: steps as
    /// blue rounded boxes labelled with their workers, events as ellipses
    /// colored by their role (green start, amber routed, red stop, and
    /// dashed purple for events that only go out to the stream), edges with
    /// arrowheads, dashed for events a step sends through its context.
    ///
    /// Each node is a `<g data-node="s0">` (steps) or `<g data-node="e3">`
    /// (events) with a `<title>` holding its label, and each edge a
    /// `<g data-from="s0" data-to="e3" data-kind="sends">`, so that tests
    /// and scripts can find them. [`Graph::to_html`] puts the drawing on a
    /// page with a legend.
    pub fn to_svg(&self) -> String {
        let layout = Layout::of(self);
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
            name = escape(self.workflow),
        );
        for (edge, route) in self.edges.iter().zip(&layout.routes) {
            let (from, to) = edge.ends();
            let kind = match edge.kind {
                EdgeKind::Accepts => "accepts",
                EdgeKind::Returns => "returns",
                EdgeKind::Sends => "sends",
            };
            let _ = write!(
                out,
                r#"<g data-from="{from}" data-to="{to}" data-kind="{kind}">"#
            );
            write_edge(&mut out, route, edge.kind);
            out.push_str("</g>\n");
        }
        for node in &layout.nodes {
            node.write(&mut out);
        }
        out.push_str("</svg>\n");
        out
    }

    /// Every node, not yet placed: the steps, then the events.
    fn nodes(&self) -> Vec<Node> {
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| (format!("s{index}"), Self::step_label(step), NodeKind::Step));
        let events = self.events.iter().enumerate().map(|(index, event)| {
            (
                format!("e{index}"),
                event.name.to_owned(),
                NodeKind::Event(event.role),
            )
        });
        steps
            .chain(events)
            .map(|(id, label, kind)| Node {
                size: kind.size(&label),
                id,
                label,
                kind,
                center: Point::zero(),
            })
            .collect()
    }
}

/// A small inline SVG of a node of `kind`, for a legend.
pub(super) fn node_swatch(kind: NodeKind) -> String {
    let mut out =
        String::from(r#"<svg width="40" height="22" viewBox="0 0 40 22" aria-hidden="true">"#);
    kind.write_shape(&mut out, Point::new(20.0, 11.0), Point::new(36.0, 18.0));
    out.push_str("</svg>");
    out
}

/// A small inline SVG of an edge of `kind`, for a legend.
pub(super) fn edge_swatch(kind: EdgeKind) -> String {
    let mut out =
        String::from(r#"<svg width="40" height="22" viewBox="0 0 40 22" aria-hidden="true">"#);
    let (start, end) = (Point::new(2.0, 11.0), Point::new(38.0, 11.0));
    write_edge(&mut out, &[[start, start, end, end]], kind);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
pub(super) mod tests {
    use crate::graph::{Edge, EdgeKind, EventNode, EventRole, Graph, StepNode};

    /// A workflow with every role of event, a loop, a step that returns
    /// and sends the same event, and a name to escape.
    pub(in crate::graph) fn sample() -> Graph {
        use EdgeKind::{Accepts, Returns, Sends};
        let step = |name, num_workers| StepNode { name, num_workers };
        let event = |name, role| EventNode { name, role };
        let edge = |step, event, kind| Edge { step, event, kind };
        Graph {
            workflow: r#"Fan<Out> & "Co""#,
            steps: vec![step("split", 1), step("work", 8), step("check", 2)],
            events: vec![
                event("StartEvent", EventRole::Start),
                event("Job", EventRole::Routed),
                event("Progress", EventRole::Stream),
                event("Done", EventRole::Routed),
                event("StopEvent", EventRole::Stop),
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
            let node = format!(r#"data-node="{id}"><title>{label}</title>"#);
            assert!(svg.contains(&node), "{node} is missing");
            assert!(svg.contains(&format!(">{label}</text>")));
        }
        assert_eq!(elements(&svg, "<g class=\"node ").count(), 8);
        assert!(svg.contains(r#"data-node="s1"><title>work (8 workers)</title><rect"#));
        assert!(svg.contains(r#"class="node stream" data-node="e2""#));
    }

    #[test]
    fn sends_edges_are_dashed_and_every_edge_has_an_arrowhead() {
        let graph = sample();
        let svg = graph.to_svg();
        let edges: Vec<_> = elements(&svg, "<g data-from=").collect();
        assert_eq!(edges.len(), graph.edges.len());
        let arrowhead = format!(r#" Z" fill="{}"/>"#, super::EDGE_COLOR);
        for edge in edges {
            let sends = edge.contains(r#"data-kind="sends""#);
            assert_eq!(edge.contains("stroke-dasharray"), sends, "{edge}");
            assert!(edge.contains(&arrowhead), "{edge}");
        }
        assert!(svg.contains(r#"<g data-from="s0" data-to="e1" data-kind="sends">"#));
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
}
