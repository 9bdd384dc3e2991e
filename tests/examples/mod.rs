//! The example programs' workflows, for the tests that draw them. Each
//! example is compiled here as a module, its `main` unused.

#![allow(dead_code)]

#[path = "../../examples/branching_loop.rs"]
pub mod branching_loop;
#[path = "../../examples/fan_out.rs"]
pub mod fan_out;
#[path = "../../examples/human_in_the_loop.rs"]
pub mod human_in_the_loop;
#[path = "../../examples/streaming/workflow.rs"]
pub mod streaming;

use typed_workflows::graph::Graph;

/// Every example's graph, by example name.
pub fn graphs() -> [(&'static str, Graph); 4] {
    [
        ("streaming", Graph::of::<streaming::MyWorkflow>()),
        ("fan_out", Graph::of::<fan_out::Summarise>()),
        ("branching_loop", Graph::of::<branching_loop::Collatz>()),
        (
            "human_in_the_loop",
            Graph::of::<human_in_the_loop::Interview>(),
        ),
    ]
}
