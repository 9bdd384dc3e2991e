//! Where everything goes: `layout-rs` places the nodes top to bottom and
//! routes the edges, and the routes of edges between the same two nodes are
//! bent apart.

use layout::adt::dag::NodeHandle;
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element};
use layout::topo::layout::VisualGraph;

use super::shapes::Node;
use crate::{EdgeKind, Graph};

/// The space layout-rs keeps between nodes: side by side, and from one row
/// to the next.
const GAP: (f64, f64) = (40.0, 44.0);
/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// How far [`bow`] moves the middle of an edge to the side.
const BOW: f64 = 9.0;

/// One cubic Bézier segment: start, two control points, end.
pub(super) type Cubic = [Point; 4];

/// The whole drawing: every node placed, every edge routed.
pub(super) struct Layout {
    pub(super) nodes: Vec<Node>,
    /// The route of each of [`Graph::edges`], in the direction of the flow.
    pub(super) routes: Vec<Vec<Cubic>>,
    /// Width and height, margins included.
    pub(super) size: Point,
}

impl Layout {
    /// Lays `graph` out top to bottom, with `nodes`, its steps and events
    /// sized for their text.
    pub(super) fn of(graph: &Graph, mut nodes: Vec<Node>) -> Self {
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
/// left, which for edges running both ways are opposite sides; sends and
/// writes edges stay straight.
fn bow_shared(graph: &Graph, routes: &mut [Vec<Cubic>]) {
    for (edge, route) in graph.edges.iter().zip(routes) {
        let ends = (edge.step, edge.event);
        let mut alike = graph
            .edges
            .iter()
            .filter(|other| (other.step, other.event) == ends);
        if matches!(
            edge.kind,
            EdgeKind::Sends | EdgeKind::Writes | EdgeKind::Waits | EdgeKind::Fails
        ) || alike.nth(1).is_none()
        {
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
