//! [`Graph`] as Graphviz DOT.

use std::fmt::Write;

use super::style::NodeKind;
use super::{EdgeKind, EventRole, Graph};

impl Graph {
    /// The graph in Graphviz's DOT language, for `dot -Tsvg`: steps as
    /// boxes, events as ellipses filled by their role, sends dashed, writes
    /// to the stream dotted, fan-outs and gathers bold and labelled `×n`
    /// and `all`.
    pub fn to_dot(&self) -> String {
        let mut out = format!("digraph \"{}\" {{\n", self.workflow);
        out.push_str("    rankdir=TB;\n    node [fontname=\"Helvetica\", style=filled];\n");
        for (index, event) in self.events.iter().enumerate() {
            let shape = match event.role {
                EventRole::Stream => "parallelogram",
                EventRole::Input => "invhouse",
                EventRole::Start | EventRole::Routed | EventRole::Stop => "ellipse",
            };
            let _ = writeln!(
                out,
                "    e{index} [label=\"{}\", shape={shape}, fillcolor=\"{}\"];",
                event.name,
                NodeKind::Event(event.role).palette().fill
            );
        }
        for (index, step) in self.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "    s{index} [label=\"{}\", shape=box, style=\"rounded,filled\", fillcolor=\"{}\"];",
                Self::step_label(step),
                NodeKind::Step.palette().fill
            );
        }
        for edge in &self.edges {
            let style = match edge.kind {
                EdgeKind::Accepts | EdgeKind::Returns => "",
                EdgeKind::FansOut => " [style=bold, label=\"×n\"]",
                EdgeKind::Gathers => " [style=bold, label=\"all\"]",
                EdgeKind::Sends => " [style=dashed]",
                EdgeKind::Writes => " [style=dotted]",
                EdgeKind::Waits => " [style=dashed, label=\"waits\"]",
                EdgeKind::Fails => " [style=dashed, label=\"fails\"]",
            };
            let (from, to) = edge.ends();
            let _ = writeln!(out, "    {from} -> {to}{style};");
        }
        out.push_str("}\n");
        out
    }
}
