//! [`Graph`] as a Mermaid flowchart.

use std::fmt::Write;

use super::{EdgeKind, EventRole, Graph};

impl Graph {
    /// The graph as a Mermaid flowchart, top to bottom: steps as boxes,
    /// events as rounded nodes styled by their role, sends as dashed edges.
    /// GitHub renders it in a ```` ```mermaid ```` block.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (index, event) in self.events.iter().enumerate() {
            let (open, close, class) = match event.role {
                EventRole::Start => ("([", "])", "start"),
                EventRole::Routed => ("(", ")", "event"),
                EventRole::Stop => ("([", "])", "stop"),
                EventRole::Stream => ("[/", "/]", "stream"),
            };
            let _ = writeln!(out, "    e{index}{open}\"{}\"{close}:::{class}", event.name);
        }
        for (index, step) in self.steps.iter().enumerate() {
            let _ = writeln!(out, "    s{index}[\"{}\"]:::step", Self::step_label(step));
        }
        for edge in &self.edges {
            let arrow = match edge.kind {
                EdgeKind::Accepts | EdgeKind::Returns => "-->",
                EdgeKind::Sends => "-.->",
            };
            let (from, to) = edge.ends();
            let _ = writeln!(out, "    {from} {arrow} {to}");
        }
        out.push_str(concat!(
            "    classDef step fill:#e8f0fe,stroke:#1a56db,color:#0b2150\n",
            "    classDef event fill:#fdf6e3,stroke:#b58900,color:#3d2e00\n",
            "    classDef start fill:#e6f4ea,stroke:#188038,color:#0d3d1c\n",
            "    classDef stop fill:#fce8e6,stroke:#c5221f,color:#4a0c0b\n",
            "    classDef stream fill:#f3e8fd,stroke:#8430ce,color:#2e0d4a\n",
        ));
        out
    }
}
