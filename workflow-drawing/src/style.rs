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
    pub(super) const ALL: [Self; 6] = [
        Self::Step,
        Self::Event(EventRole::Start),
        Self::Event(EventRole::Input),
        Self::Event(EventRole::Routed),
        Self::Event(EventRole::Stop),
        Self::Event(EventRole::Stream),
    ];

    /// The colors of this kind of node.
    pub(super) fn palette(self) -> Palette {
        let (fill, stroke, text) = match self {
            Self::Step => ("#e8f0fe", "#1a56db", "#0b2150"),
            Self::Event(EventRole::Start) => ("#e6f4ea", "#188038", "#0d3d1c"),
            Self::Event(EventRole::Input) => ("#e0f7fa", "#00838f", "#00363a"),
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
            Self::Event(EventRole::Input) => "input",
            Self::Event(EventRole::Routed) => "event",
            Self::Event(EventRole::Stop) => "stop",
            Self::Event(EventRole::Stream) => "stream",
        }
    }
}

/// What a run did at a node, which decides how the drawing of that run
/// marks it (SVG only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// A step that ran, or an event that occurred: drawn as usual.
    Ran,
    /// A step that never ran, or an event that never occurred: faded.
    Idle,
    /// A step whose failure ended the run: outlined in red.
    Failed,
    /// A step where the run ended without failing: still running when it
    /// timed out or was cancelled, or the last to finish before it stalled.
    /// Outlined in amber, dashed.
    Halted,
    /// The stop event that ended the run: a double border.
    Stopped,
}

/// How a node's outline is painted.
pub(super) struct Paint {
    pub(super) fill: &'static str,
    pub(super) stroke: &'static str,
    pub(super) width: f64,
    pub(super) dash: Option<&'static str>,
}

/// How see-through a faded node or edge is.
pub(super) const FADED_OPACITY: f64 = 0.3;

impl Mark {
    /// The class a node with this mark adds to its kind's.
    pub(super) fn class(self) -> &'static str {
        match self {
            Self::Ran => "ran",
            Self::Idle => "idle",
            Self::Failed => "failed",
            Self::Halted => "halted",
            Self::Stopped => "stopped",
        }
    }

    /// Whether the node is faded.
    pub(super) fn faded(self) -> bool {
        self == Self::Idle
    }

    /// `paint`, the paint of the node's kind, changed for this mark.
    pub(super) fn repaint(self, paint: Paint) -> Paint {
        match self {
            Self::Ran | Self::Idle => paint,
            Self::Failed => Paint {
                fill: "#fce8e6",
                stroke: "#d93025",
                width: 3.0,
                dash: None,
            },
            Self::Halted => Paint {
                fill: "#fef7e0",
                stroke: "#e37400",
                width: 3.0,
                dash: Some("7 4"),
            },
            Self::Stopped => Paint {
                width: 2.5,
                ..paint
            },
        }
    }

    /// The color of the error line under a failed step's label.
    pub(super) const ERROR_TEXT: &'static str = "#b3261e";
}
