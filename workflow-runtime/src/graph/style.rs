//! How each kind of node looks, in every output: Mermaid, DOT and SVG.

use super::EventRole;

/// What a node is, which decides how it is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) enum NodeKind {
    /// A step: a rounded box.
    Step,
    /// An event: an ellipse colored by its role, dashed if it only goes out
    /// to the stream.
    Event(EventRole),
}

/// The fill, border and text colors of a kind of node.
pub(super) struct Palette {
    pub(super) fill: &'static str,
    pub(super) stroke: &'static str,
    pub(super) text: &'static str,
}

impl NodeKind {
    /// Every kind of node, in the order of the legend.
    pub(super) const ALL: [Self; 5] = [
        Self::Step,
        Self::Event(EventRole::Start),
        Self::Event(EventRole::Routed),
        Self::Event(EventRole::Stop),
        Self::Event(EventRole::Stream),
    ];

    /// The colors of this kind of node.
    pub(super) fn palette(self) -> Palette {
        let (fill, stroke, text) = match self {
            Self::Step => ("#e8f0fe", "#1a56db", "#0b2150"),
            Self::Event(EventRole::Start) => ("#e6f4ea", "#188038", "#0d3d1c"),
            Self::Event(EventRole::Routed) => ("#fdf6e3", "#b58900", "#3d2e00"),
            Self::Event(EventRole::Stop) => ("#fce8e6", "#c5221f", "#4a0c0b"),
            Self::Event(EventRole::Stream) => ("#f3e8fd", "#8430ce", "#2e0d4a"),
        };
        Palette { fill, stroke, text }
    }

    /// The class of this kind of node, in Mermaid and in the SVG.
    pub(super) fn class(self) -> &'static str {
        match self {
            Self::Step => "step",
            Self::Event(EventRole::Start) => "start",
            Self::Event(EventRole::Routed) => "event",
            Self::Event(EventRole::Stop) => "stop",
            Self::Event(EventRole::Stream) => "stream",
        }
    }
}
