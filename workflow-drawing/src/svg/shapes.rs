//! Nodes: their size, outline and lines of text, as drawn and as the
//! legend's swatches.

use std::fmt::Write;

use layout::core::geometry::Point;
use layout::std_shapes::shapes::ShapeKind;

use super::text::{FONT_SIZE, NOTE_FONT_SIZE, escape, text_width};
use crate::EventRole;
use crate::overlay::{NodeRun, Note};
use crate::style::{FADED_OPACITY, Mark, NodeKind, Paint, Palette};

/// The height of a node with one line of text.
const NODE_HEIGHT: f64 = 40.0;
/// Space between the text of a step and its border, on each side.
const STEP_PADDING: f64 = 16.0;
/// The width of node borders.
pub(super) const LINE_WIDTH: f64 = 1.5;
/// The height each line under a label adds to its node.
const NOTE_HEIGHT: f64 = 18.0;
/// The space between a stop event's border and its outer border.
const RING: f64 = 4.0;

impl NodeKind {
    /// The size of a node of this kind that holds `label` and `notes`.
    fn size(self, label: &str, notes: &[Note]) -> Point {
        let text = notes
            .iter()
            .map(|note| text_width(&note.text, NOTE_FONT_SIZE))
            .fold(text_width(label, FONT_SIZE), f64::max);
        let height = NODE_HEIGHT + NOTE_HEIGHT * notes.len() as f64;
        match self {
            Self::Step => Point::new(text + 2.0 * STEP_PADDING, height),
            // Wide enough for the text's corners to stay inside the ellipse.
            Self::Event(_) => Point::new(1.15 * text + 28.0, height),
        }
    }

    /// The layout-rs shape on whose border the edges end.
    pub(super) fn layout_shape(self, label: &str) -> ShapeKind {
        match self {
            Self::Step => ShapeKind::new_box(label),
            Self::Event(_) => ShapeKind::new_circle(label),
        }
    }

    /// How a node of this kind is painted when no run marks it.
    fn paint(self) -> Paint {
        let Palette { fill, stroke, .. } = self.palette();
        let dash = match self {
            Self::Event(EventRole::Stream) => Some("5 3"),
            _ => None,
        };
        Paint {
            fill,
            stroke,
            width: LINE_WIDTH,
            dash,
        }
    }

    /// Writes the node's outline with `paint`, centered on `center`.
    fn write_shape(self, out: &mut String, center: Point, size: Point, paint: &Paint) {
        let Paint {
            fill,
            stroke,
            width,
            dash,
        } = paint;
        let dash = dash.map_or_else(String::new, |dash| format!(r#" stroke-dasharray="{dash}""#));
        let paint = format!(r#"fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}"#);
        let _ = match self {
            Self::Step => write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" {paint}/>"#,
                center.x - size.x / 2.0,
                center.y - size.y / 2.0,
                size.x,
                size.y,
            ),
            Self::Event(_) => write!(
                out,
                r#"<ellipse cx="{:.1}" cy="{:.1}" rx="{:.1}" ry="{:.1}" {paint}/>"#,
                center.x,
                center.y,
                size.x / 2.0,
                size.y / 2.0,
            ),
        };
    }

    /// Writes the node's outline as `mark` (if any) paints it: for the stop
    /// event that ended a run, a second border around the first.
    fn write_marked_shape(self, out: &mut String, center: Point, size: Point, mark: Option<Mark>) {
        let paint = self.paint();
        let Some(mark) = mark else {
            return self.write_shape(out, center, size, &paint);
        };
        let paint = mark.repaint(paint);
        if mark == Mark::Stopped {
            let ring = Paint {
                fill: "none",
                width: LINE_WIDTH,
                ..paint
            };
            let around = size.add(Point::splat(2.0 * RING));
            self.write_shape(out, center, around, &ring);
        }
        self.write_shape(out, center, size, &paint);
    }
}

/// A node of the drawing and where the layout put it.
pub(super) struct Node {
    /// `s0`, `e3`: as in Mermaid and DOT.
    pub(super) id: String,
    pub(super) label: String,
    /// What its `<title>` says under the label.
    pub(super) tooltip: String,
    pub(super) kind: NodeKind,
    /// What a run did here, in the drawing of a run.
    pub(super) run: Option<NodeRun>,
    pub(super) center: Point,
    pub(super) size: Point,
}

impl Node {
    /// A node not yet placed, sized for its label and the run's notes.
    pub(super) fn new(
        id: String,
        label: String,
        tooltip: String,
        kind: NodeKind,
        run: Option<NodeRun>,
    ) -> Self {
        let notes = run.as_ref().map_or(&[][..], |run| &run.notes);
        Self {
            size: kind.size(&label, notes),
            id,
            label,
            tooltip,
            kind,
            run,
            center: Point::zero(),
        }
    }

    /// Writes the node: a group of its title (the label, the tooltip and
    /// what the run did, a line each), outline and lines of text.
    pub(super) fn write(&self, out: &mut String) {
        let label = escape(&self.label);
        let mark = self.run.as_ref().map(|run| run.mark);
        let _ = write!(out, r#"<g class="node {}"#, self.kind.class());
        if let Some(mark) = mark {
            let _ = write!(out, " {}", mark.class());
        }
        let _ = write!(out, r#"" data-node="{}""#, self.id);
        if mark.is_some_and(Mark::faded) {
            let _ = write!(out, r#" opacity="{FADED_OPACITY}""#);
        }
        let _ = write!(out, "><title>{label}");
        let run = self.run.as_ref().map(|run| run.title.as_str());
        for line in [Some(self.tooltip.as_str()), run].into_iter().flatten() {
            if !line.is_empty() {
                let _ = write!(out, "&#10;{}", escape(line));
            }
        }
        out.push_str("</title>");
        self.kind
            .write_marked_shape(out, self.center, self.size, mark);
        self.write_text(out, &label, mark);
        out.push_str("</g>\n");
    }

    /// Writes the label, and under it the run's notes: the block of lines
    /// centered in the node.
    fn write_text(&self, out: &mut String, label: &str, mark: Option<Mark>) {
        let notes = self.run.as_ref().map_or(&[][..], |run| &run.notes);
        let color = self.kind.palette().text;
        let x = self.center.x;
        let y = self.center.y - NOTE_HEIGHT * notes.len() as f64 / 2.0;
        let bold = match mark {
            Some(Mark::Stopped | Mark::Failed) => r#" font-weight="bold""#,
            _ => "",
        };
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" dominant-baseline="central" fill="{color}"{bold}>{label}</text>"#,
        );
        for (index, note) in notes.iter().enumerate() {
            let (class, color) = match note.error {
                true => ("error", Mark::ERROR_TEXT),
                false => ("note", color),
            };
            let _ = write!(
                out,
                r#"<text class="{class}" x="{x:.1}" y="{:.1}" text-anchor="middle" dominant-baseline="central" font-size="{NOTE_FONT_SIZE}" fill="{color}">{}</text>"#,
                y + NOTE_HEIGHT * (index + 1) as f64,
                escape(&note.text),
            );
        }
    }
}

/// A small inline SVG of a node of `kind`, marked by a run with `mark` if
/// any, for a legend.
pub(crate) fn node_swatch(kind: NodeKind, mark: Option<Mark>) -> String {
    let mut out =
        String::from(r#"<svg width="40" height="22" viewBox="0 0 40 22" aria-hidden="true""#);
    if mark.is_some_and(Mark::faded) {
        let _ = write!(out, r#" opacity="{FADED_OPACITY}""#);
    }
    out.push('>');
    let size = match mark {
        Some(Mark::Stopped) => Point::new(36.0 - 2.0 * RING, 18.0 - 2.0 * RING),
        _ => Point::new(36.0, 18.0),
    };
    kind.write_marked_shape(&mut out, Point::new(20.0, 11.0), size, mark);
    out.push_str("</svg>");
    out
}
