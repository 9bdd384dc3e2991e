//! Edges: their lines and arrowheads, as drawn and as the legend's
//! swatches, and in the drawing of a run, whether and how often the run
//! took them.

use std::fmt::Write;

use layout::core::geometry::Point;

use super::layout::Cubic;
use super::shapes::LINE_WIDTH;
use super::text::NOTE_FONT_SIZE;
use crate::style::FADED_OPACITY;
use crate::{Edge, EdgeKind};

/// The color of edges and their arrowheads.
pub(super) const EDGE_COLOR: &str = "#5f6368";
/// The color of the edges a run took, and of their counts.
const TAKEN_COLOR: &str = "#202124";
/// The width of the edges a run took.
const TAKEN_WIDTH: f64 = 2.5;
/// The length and half the width of an arrowhead.
const ARROWHEAD: (f64, f64) = (10.0, 4.5);
/// The same, on an edge a run took.
const TAKEN_ARROWHEAD: (f64, f64) = (12.0, 5.5);
/// How far a count sits to the right of the middle of its edge.
const COUNT_OFFSET: f64 = 6.0;
/// How far apart the stacked arrowheads of a fan-out are.
const FAN_STEP: f64 = 6.0;

/// How an edge's line is drawn.
struct Stroke {
    color: &'static str,
    width: f64,
    arrowhead: (f64, f64),
}

impl Stroke {
    /// The stroke of an edge a run took `count` times, or of an edge in the
    /// graph alone if `None`. An edge not taken keeps the plain stroke and
    /// is faded as a whole.
    fn of(count: Option<usize>) -> Self {
        match count {
            Some(1..) => Self {
                color: TAKEN_COLOR,
                width: TAKEN_WIDTH,
                arrowhead: TAKEN_ARROWHEAD,
            },
            None | Some(0) => Self {
                color: EDGE_COLOR,
                width: LINE_WIDTH,
                arrowhead: ARROWHEAD,
            },
        }
    }
}

/// Writes `edge` along `route`: a group named by its ends and kind, holding
/// its line and arrowhead. In the drawing of a run, `count` is how many
/// times the run took it: edges not taken are faded, and those taken more
/// than once say how many times. Fan-out and gather edges always carry a
/// label: `×n` and `all` in the graph alone, `×40` and `all 40` in a run.
pub(super) fn write_edge(out: &mut String, edge: &Edge, route: &[Cubic], count: Option<usize>) {
    let (from, to) = edge.ends();
    let kind = match edge.kind {
        EdgeKind::Accepts => "accepts",
        EdgeKind::Gathers => "gathers",
        EdgeKind::Returns => "returns",
        EdgeKind::FansOut => "fans-out",
        EdgeKind::Sends => "sends",
        EdgeKind::Writes => "writes",
        EdgeKind::Waits => "waits",
        EdgeKind::Fails => "fails",
    };
    let _ = write!(
        out,
        r#"<g data-from="{from}" data-to="{to}" data-kind="{kind}""#
    );
    let _ = match count {
        None => Ok(()),
        Some(0) => write!(out, r#" class="not-taken" opacity="{FADED_OPACITY}""#),
        Some(count) => write!(out, r#" class="taken" data-count="{count}""#),
    };
    out.push('>');
    write_line(out, route, edge.kind, &Stroke::of(count));
    let taken = count.filter(|&count| count > 0);
    let label = match (edge.kind, taken) {
        (EdgeKind::FansOut, None) => Some("×n".to_owned()),
        (EdgeKind::FansOut, Some(count)) => Some(format!("×{count}")),
        (EdgeKind::Gathers, None) => Some("all".to_owned()),
        (EdgeKind::Gathers, Some(count)) => Some(format!("all {count}")),
        (_, Some(count @ 2..)) => Some(format!("×{count}")),
        _ => None,
    };
    if let Some(label) = label {
        write_label(out, route, &label);
    }
    out.push_str("</g>\n");
}

/// Writes a line along `route`, dashed for sends, dotted for writes,
/// dash-dotted for waits, finely dashed for failures, hollow for a gather
/// (many events going as one), and an arrowhead at its end, three stacked
/// for a fan-out (one event becoming many).
fn write_line(out: &mut String, route: &[Cubic], kind: EdgeKind, stroke: &Stroke) {
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
        EdgeKind::Accepts | EdgeKind::Gathers | EdgeKind::Returns | EdgeKind::FansOut => "",
        EdgeKind::Sends => r#" stroke-dasharray="6 4""#,
        EdgeKind::Writes => r#" stroke-dasharray="2 3""#,
        EdgeKind::Waits => r#" stroke-dasharray="8 3 2 3""#,
        EdgeKind::Fails => r#" stroke-dasharray="3 3""#,
    };
    let Stroke { color, width, .. } = stroke;
    if kind == EdgeKind::Gathers {
        // Two lines of the stroke's width, a stroke's width apart.
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="{}"/><path d="{d}" fill="none" stroke="white" stroke-width="{width}"/>"#,
            3.0 * width,
        );
    } else {
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"{dash}/>"#
        );
    }
    if let Some(&[start, _, second, tip]) = route.last() {
        let from = if second == tip { start } else { second };
        let heads = match kind {
            EdgeKind::FansOut => 3,
            _ => 1,
        };
        let along = tip.sub(from);
        let along = along.scale(1.0 / along.length());
        for head in 0..heads {
            let at = tip.sub(along.scale(FAN_STEP * f64::from(head)));
            write_arrowhead(out, at, along, stroke);
        }
    }
}

/// Writes an arrowhead with its point on `tip`, pointing along `along`, a
/// unit vector.
fn write_arrowhead(out: &mut String, tip: Point, along: Point, stroke: &Stroke) {
    let (length, half_width) = stroke.arrowhead;
    let base = tip.sub(along.scale(length));
    let across = Point::new(-along.y, along.x).scale(half_width);
    let (left, right) = (base.add(across), base.sub(across));
    let _ = write!(
        out,
        r#"<path d="M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{}"/>"#,
        tip.x, tip.y, left.x, left.y, right.x, right.y, stroke.color,
    );
}

/// Writes `label` beside the middle of `route`, on a white halo so that it
/// reads across other lines. It goes on the edge's left as
/// [`layout`](super::layout) reckons it: the side to which an edge bends
/// away from another between the same nodes, so that each label stays by
/// its own edge.
fn write_label(out: &mut String, route: &[Cubic], label: &str) {
    let (middle, along) = middle(route);
    let side = Point::new(along.y, -along.x).scale(1.0 / along.length().max(f64::EPSILON));
    let at = middle.add(side.scale(COUNT_OFFSET));
    // Anchored on the side away from the line; below or above it when the
    // line runs across.
    let (anchor, at) = match side.x {
        x if x > 0.3 => ("start", at),
        x if x < -0.3 => ("end", at),
        _ => (
            "middle",
            at.add(Point::new(0.0, side.y.signum() * NOTE_FONT_SIZE / 2.0)),
        ),
    };
    let _ = write!(
        out,
        concat!(
            r#"<text class="count" x="{:.1}" y="{:.1}" text-anchor="{}" dominant-baseline="central" "#,
            r#"font-size="{}" font-weight="bold" fill="{}" stroke="white" stroke-width="4" "#,
            r#"stroke-linejoin="round" paint-order="stroke">{}</text>"#,
        ),
        at.x, at.y, anchor, NOTE_FONT_SIZE, TAKEN_COLOR, label,
    );
}

/// The point halfway along `route`, counted in segments, and the direction
/// of the route there.
fn middle(route: &[Cubic]) -> (Point, Point) {
    let half = route.len() / 2;
    if route.len().is_multiple_of(2) {
        // Where two segments meet, heading as the two of them do.
        let [before, .., joint] = route[half - 1];
        let [.., after] = route[half];
        return (joint, after.sub(before));
    }
    // A cubic's point and derivative at t = 1/2.
    let [start, first, second, end] = route[half];
    let point = start
        .add(end)
        .add(first.add(second).scale(3.0))
        .scale(1.0 / 8.0);
    let along = end.add(second).sub(first).sub(start);
    (point, along)
}

/// A small inline SVG of an edge of `kind`, for a legend; `count` as in
/// [`write_edge`] (no label is shown).
pub(crate) fn edge_swatch(kind: EdgeKind, count: Option<usize>) -> String {
    let mut out =
        String::from(r#"<svg width="40" height="22" viewBox="0 0 40 22" aria-hidden="true""#);
    if count == Some(0) {
        let _ = write!(out, r#" opacity="{FADED_OPACITY}""#);
    }
    out.push('>');
    let (start, end) = (Point::new(2.0, 11.0), Point::new(38.0, 11.0));
    write_line(
        &mut out,
        &[[start, start, end, end]],
        kind,
        &Stroke::of(count),
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use layout::core::geometry::Point;

    use super::middle;

    #[test]
    fn the_middle_of_a_route_is_halfway_through_its_segments() {
        let p = |x: f64| Point::new(x, 0.0);
        let straight = |from: f64, to: f64| [p(from), p(from), p(to), p(to)];
        let at = |route: &[[Point; 4]]| {
            let (point, along) = middle(route);
            (point.x, along.x > 0.0, along.y)
        };
        assert_eq!(at(&[straight(0.0, 8.0)]), (4.0, true, 0.0));
        assert_eq!(
            at(&[straight(0.0, 8.0), straight(8.0, 20.0)]),
            (8.0, true, 0.0)
        );
        let three = [
            straight(0.0, 8.0),
            straight(8.0, 16.0),
            straight(16.0, 40.0),
        ];
        assert_eq!(at(&three), (12.0, true, 0.0));
    }
}
