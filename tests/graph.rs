//! The graph of every example workflow, read from its compile-time step
//! table: asserted node by node and edge by edge, and snapshot-tested as
//! Mermaid and DOT. The README's diagrams must match what the library
//! generates.

mod examples;

use std::path::Path;

use typed_workflows::graph::{Edge, EdgeKind, EventRole, Graph};

use EdgeKind::{Accepts, Returns, Sends, Waits, Writes};

/// The edges of `graph` as `(step, event, kind)`.
fn edges(graph: &Graph) -> Vec<(usize, usize, EdgeKind)> {
    graph
        .edges
        .iter()
        .map(|&Edge { step, event, kind }| (step, event, kind))
        .collect()
}

/// The steps of `graph` as `(name, workers)`.
fn steps(graph: &Graph) -> Vec<(&str, usize)> {
    graph
        .steps
        .iter()
        .map(|step| (step.name, step.num_workers))
        .collect()
}

/// The events of `graph` as `(name, role)`.
fn events(graph: &Graph) -> Vec<(&str, EventRole)> {
    graph
        .events
        .iter()
        .map(|event| (event.name, event.role))
        .collect()
}

#[test]
fn the_streaming_example_is_a_line_of_three_steps() {
    let graph = Graph::of::<examples::streaming::MyWorkflow>();
    assert_eq!(graph.workflow, "MyWorkflow");
    assert_eq!(
        steps(&graph),
        [("step_one", 4), ("step_two", 4), ("step_three", 4)]
    );
    assert_eq!(
        events(&graph),
        [
            ("StartEvent", EventRole::Start),
            ("FirstEvent", EventRole::Routed),
            ("ProgressEvent", EventRole::Stream),
            ("SecondEvent", EventRole::Routed),
            ("StopEvent", EventRole::Stop),
        ]
    );
    assert_eq!(
        edges(&graph),
        [
            (0, 0, Accepts),
            (0, 1, Returns),
            (0, 2, Writes),
            (1, 1, Accepts),
            (1, 3, Returns),
            (1, 2, Writes),
            (2, 3, Accepts),
            (2, 4, Returns),
            (2, 2, Writes),
        ]
    );
}

#[test]
fn the_fan_out_example_sends_to_eight_workers_and_collects() {
    let graph = Graph::of::<examples::fan_out::Summarise>();
    assert_eq!(graph.workflow, "Summarise");
    assert_eq!(
        steps(&graph),
        [("split", 4), ("summarise", 8), ("gather", 4)]
    );
    assert_eq!(
        events(&graph),
        [
            ("StartEvent", EventRole::Start),
            ("Document", EventRole::Routed),
            ("Summary", EventRole::Routed),
            ("StopEvent", EventRole::Stop),
        ]
    );
    assert_eq!(
        edges(&graph),
        [
            (0, 0, Accepts),
            (0, 1, Sends),
            (1, 1, Accepts),
            (1, 2, Returns),
            (2, 2, Accepts),
            (2, 3, Returns),
        ]
    );
}

#[test]
fn the_branching_loop_example_returns_one_of_three_events_from_each_step() {
    let graph = Graph::of::<examples::branching_loop::Collatz>();
    assert_eq!(graph.workflow, "Collatz");
    assert_eq!(
        steps(&graph),
        [("begin", 4), ("halve", 4), ("triple_plus_one", 4)]
    );
    assert_eq!(
        events(&graph),
        [
            ("StartEvent", EventRole::Start),
            ("Even", EventRole::Routed),
            ("Odd", EventRole::Routed),
            ("StopEvent", EventRole::Stop),
        ]
    );
    let branches = |step| [(step, 1, Returns), (step, 2, Returns), (step, 3, Returns)];
    let mut expected = vec![(0, 0, Accepts)];
    expected.extend(branches(0));
    expected.push((1, 1, Accepts));
    expected.extend(branches(1));
    expected.push((2, 2, Accepts));
    expected.extend(branches(2));
    assert_eq!(edges(&graph), expected);
}

#[test]
fn the_human_in_the_loop_example_waits_for_its_callers_answers() {
    let graph = Graph::of::<examples::human_in_the_loop::Interview>();
    assert_eq!(steps(&graph), [("ask_name", 4), ("ask_colour", 4)]);
    assert_eq!(
        events(&graph),
        [
            ("StartEvent", EventRole::Start),
            ("Named", EventRole::Routed),
            ("InputRequiredEvent", EventRole::Stream),
            ("HumanResponseEvent", EventRole::Input),
            ("StopEvent", EventRole::Stop),
        ]
    );
    assert_eq!(
        edges(&graph),
        [
            (0, 0, Accepts),
            (0, 1, Returns),
            (0, 2, Writes),
            (0, 3, Waits),
            (1, 1, Accepts),
            (1, 4, Returns),
            (1, 2, Writes),
            (1, 3, Waits),
        ]
    );
    let mermaid = graph.to_mermaid();
    assert!(
        mermaid.contains("e3[\\\"HumanResponseEvent\"\\]:::input"),
        "{mermaid}"
    );
    assert!(mermaid.contains("e3 -. waits .-> s0"), "{mermaid}");
}

/// Compares `actual` with the checked-in file `tests/snapshots/<file>`;
/// with `UPDATE_SNAPSHOTS=1` in the environment, rewrites the file instead.
fn assert_snapshot(file: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(file);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("the snapshot directory is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read {}: {error}; run `UPDATE_SNAPSHOTS=1 cargo test --test graph` to create it",
            path.display()
        )
    });
    assert!(
        actual == expected,
        "{} is out of date; review the change with `UPDATE_SNAPSHOTS=1 cargo test --test graph` \
         and `git diff`.\n--- generated now:\n{actual}",
        path.display()
    );
}

#[test]
fn the_mermaid_of_every_example_matches_its_snapshot() {
    for (name, graph) in examples::graphs() {
        assert_snapshot(&format!("{name}.mmd"), &graph.to_mermaid());
    }
}

#[test]
fn the_dot_of_every_example_matches_its_snapshot() {
    for (name, graph) in examples::graphs() {
        assert_snapshot(&format!("{name}.dot"), &graph.to_dot());
    }
}

#[test]
fn the_readme_shows_the_graph_of_every_example_as_the_library_draws_it() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README is readable");
    for (name, graph) in examples::graphs() {
        let block = format!("```mermaid\n{}```\n", graph.to_mermaid());
        assert!(
            readme.contains(&block),
            "the README's diagram of the `{name}` example is out of date; replace it with:\n{block}"
        );
    }
}

// --- what the graph knows of steps and events, for the page's details ----------------

mod details {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use typed_workflows::graph::{EdgeKind, Graph};
    use typed_workflows::prelude::*;
    use typed_workflows::{RetryPolicy, StepFailedEvent};

    /// Fields of every shape of type, written as people write them.
    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    struct Batch {
        id: u32,
        rows: Vec<(u8, String)>,
        tags: BTreeMap<String, Option<Vec<u64>>>,
        grid: [u8; 4],
    }

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    struct Row(u64, String);

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    enum Verdict {
        Keep,
        Drop(String),
        Fix { row: u64, note: String },
    }

    const AGAIN: RetryPolicy = RetryPolicy::fixed(Duration::from_millis(500)).max_attempts(4);

    struct Cleaner;

    #[workflow_impl]
    impl Cleaner {
        #[step(spawn, retry = AGAIN, timeout = Duration::from_secs(2))]
        async fn load(&self, _start: StartEvent) -> Batch {
            Batch {
                id: 1,
                rows: Vec::new(),
                tags: BTreeMap::new(),
                grid: [0; 4],
            }
        }

        #[step]
        async fn split(&self, batch: Batch) -> Vec<Row> {
            batch
                .rows
                .into_iter()
                .map(|(n, text)| Row(n.into(), text))
                .collect()
        }

        #[step(num_workers = 2)]
        async fn judge(&self, row: Row) -> Verdict {
            Verdict::Fix {
                row: row.0,
                note: row.1,
            }
        }

        #[step]
        async fn tally(&self, verdicts: Vec<Verdict>) -> StopEvent<usize> {
            StopEvent::new(verdicts.len())
        }

        #[step(catches(*), max_recoveries = 3)]
        async fn give_up(&self, _failed: StepFailedEvent) -> StopEvent<usize> {
            StopEvent::new(0)
        }
    }

    #[test]
    fn events_carry_their_fields_as_written() {
        let graph = Graph::of::<Cleaner>();
        let fields = |name: &str| {
            graph
                .events
                .iter()
                .find(|event| event.name == name)
                .unwrap()
                .fields
        };
        assert_eq!(
            fields("Batch"),
            [
                ("id", "u32"),
                ("rows", "Vec<(u8, String)>"),
                ("tags", "BTreeMap<String, Option<Vec<u64>>>"),
                ("grid", "[u8; 4]"),
            ]
        );
        assert_eq!(fields("Row"), [("0", "u64"), ("1", "String")]);
        assert_eq!(
            fields("Verdict"),
            [
                ("Keep", "variant"),
                ("Drop", "variant (String)"),
                ("Fix", "variant { row: u64, note: String }"),
            ]
        );
        assert_eq!(fields("StartEvent"), [("values", "JSON by name")]);
        assert_eq!(fields("StepFailedEvent")[0], ("step", "String"));
    }

    #[test]
    fn steps_carry_their_options_and_fan_outs_and_gathers_their_kinds() {
        let graph = Graph::of::<Cleaner>();
        let [load, split, judge, tally, give_up] = &graph.steps[..] else {
            panic!("{graph:?}");
        };
        assert!(load.spawn);
        assert_eq!(load.retry.as_deref(), Some("4 attempts, 500 ms apart"));
        assert_eq!(load.timeout, Some(Duration::from_secs(2)));
        assert_eq!(load.caught_by, Some(4));
        assert_eq!(load.max_recoveries, None);
        assert_eq!((split.retry.as_deref(), split.timeout), (None, None));
        assert_eq!(judge.num_workers, 2);
        assert_eq!(tally.caught_by, Some(4));
        assert_eq!((give_up.caught_by, give_up.max_recoveries), (None, Some(3)));

        let kind = |step: usize, event: &str| {
            let edges = graph.edges.iter();
            edges
                .filter(|edge| edge.step == step && graph.events[edge.event].name == event)
                .map(|edge| edge.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(kind(1, "Row"), [EdgeKind::FansOut]);
        assert_eq!(kind(2, "Row"), [EdgeKind::Accepts]);
        assert_eq!(kind(3, "Verdict"), [EdgeKind::Gathers]);
        assert!(graph.to_mermaid().contains("s1 == ×n ==> e"));
        assert!(graph.to_mermaid().contains(" == all ==> s3"));
        assert!(
            graph
                .to_dot()
                .contains(" -> s3 [style=bold, label=\"all\"];")
        );
    }
}
