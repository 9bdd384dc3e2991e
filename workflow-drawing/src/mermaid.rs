//! [`Graph`] as a Mermaid flowchart.

use std::fmt::Write;

use super::style::NodeKind;
use super::{EdgeKind, EventRole, Graph};

impl Graph {
    /// The graph as a Mermaid flowchart, top to bottom: steps as boxes,
    /// events as rounded nodes styled by their role, sends as dashed edges,
    /// writes to the stream as dashed edges labelled `writes`, fan-outs and
    /// gathers as thick edges labelled `×n` and `all`.
    /// GitHub renders it in a ```` ```mermaid ```` block.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (index, event) in self.events.iter().enumerate() {
            let (open, close) = match event.role {
                EventRole::Start | EventRole::Stop => ("([", "])"),
                EventRole::Routed => ("(", ")"),
                EventRole::Stream => ("[/", "/]"),
                EventRole::Input => ("[\\", "\\]"),
            };
            let class = NodeKind::Event(event.role).class();
            let _ = writeln!(out, "    e{index}{open}\"{}\"{close}:::{class}", event.name);
        }
        for (index, step) in self.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "    s{index}[\"{}\"]:::{}",
                Self::step_label(step),
                NodeKind::Step.class()
            );
        }
        for edge in &self.edges {
            let arrow = match edge.kind {
                EdgeKind::Accepts | EdgeKind::Returns => "-->",
                EdgeKind::FansOut => "== ×n ==>",
                EdgeKind::Gathers => "== all ==>",
                EdgeKind::Sends => "-.->",
                EdgeKind::Writes => "-. writes .->",
                EdgeKind::Waits => "-. waits .->",
                EdgeKind::Fails => "-. fails .->",
            };
            let (from, to) = edge.ends();
            let _ = writeln!(out, "    {from} {arrow} {to}");
        }
        for kind in NodeKind::ALL {
            let palette = kind.palette();
            let _ = writeln!(
                out,
                "    classDef {} fill:{},stroke:{},color:{}",
                kind.class(),
                palette.fill,
                palette.stroke,
                palette.text
            );
        }
        out
    }
}
