//! `draw_most_recent_execution`: a run recorded into a `RunTrace` from its
//! observer events and its outcome, then drawn over its workflow's graph.
//! The counts and edges of a branching run, a run that fails halfway, a run
//! that times out, exact durations under paused time, and the pages of runs
//! as headless Chromium renders them (kept in `target/tmp/draw/runs/`).

mod browser;
mod examples;

use browser::record;

use std::time::Duration;

use tokio::sync::Notify;
use typed_workflows::graph::*;
use typed_workflows::prelude::*;

/// The line of `svg` that draws the node `id` (`s1`, `e3`): its group.
#[track_caller]
fn node<'a>(svg: &'a str, id: &str) -> &'a str {
    let marker = format!(r#" data-node="{id}""#);
    svg.lines()
        .find(|line| line.starts_with("<g class=\"node ") && line.contains(&marker))
        .unwrap_or_else(|| panic!("no node {id} in {svg}"))
}

/// The line of `svg` that draws the edge from `from` to `to`.
#[track_caller]
fn edge<'a>(svg: &'a str, from: &str, to: &str) -> &'a str {
    let marker = format!(r#"<g data-from="{from}" data-to="{to}" "#);
    svg.lines()
        .find(|line| line.starts_with(&marker))
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {svg}"))
}

/// The index of the step named `name` in `graph`, as `s3`.
fn step_id(graph: &Graph, name: &str) -> String {
    let index = graph.steps.iter().position(|step| step.name == name);
    format!("s{}", index.expect("the step exists"))
}

/// The index of the event named `name` in `graph`, as `e3`.
fn event_id(graph: &Graph, name: &str) -> String {
    let index = graph.events.iter().position(|event| event.name == name);
    format!("e{}", index.expect("the event exists"))
}

// --- a branching run ------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Number {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Even {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Odd {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Huge {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Tally {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Note {
    text: String,
}

#[derive(Debug, OneOf)]
enum Sorted {
    Even(Even),
    Odd(Odd),
    Huge(Huge),
}

/// Sends 1, 2 and 3 down a branch each by parity (none is huge), and
/// tallies them.
struct Parity;

workflow! {
    impl Parity {
        #[step(sends(Number), writes(Note))]
        async fn split(&self, ctx: &Context<Self>, _ev: StartEvent) {
            ctx.write_event_to_stream(Note { text: "splitting".into() });
            for n in 1..=3 {
                ctx.send_event(Number { n });
            }
        }

        #[step]
        async fn sort(&self, number: Number) -> Sorted {
            match number.n {
                n if n > 1_000 => Sorted::Huge(Huge { n }),
                n if n % 2 == 0 => Sorted::Even(Even { n }),
                n => Sorted::Odd(Odd { n }),
            }
        }

        #[step]
        async fn even(&self, ev: Even) -> Tally {
            Tally { n: ev.n }
        }

        #[step]
        async fn odd(&self, ev: Odd) -> Tally {
            Tally { n: ev.n }
        }

        #[step]
        async fn huge(&self, ev: Huge) -> Tally {
            Tally { n: ev.n }
        }

        #[step]
        async fn tally(&self, ctx: &Context<Self>, tally: Tally) -> Option<StopEvent<u32>> {
            let all = ctx.collect_events(tally, 3)?;
            Some(StopEvent::new(all.iter().map(|tally| tally.n).sum()))
        }
    }
}

#[tokio::test]
async fn a_branching_run_records_each_steps_counts_and_the_edges_it_took() {
    let (trace, outcome, others) = record(Parity.runner(), StartEvent::new()).await;
    assert_eq!(outcome.unwrap(), 6);
    assert_eq!(others, ["Note", "StopEvent"]);
    assert_eq!(trace.ended, Some(RunEnd::Stopped));

    let counts = |name: &str| {
        let step = trace.step(name).expect("the step ran");
        (step.started, step.finished, step.failed)
    };
    assert_eq!(counts("split"), (1, 1, 0));
    assert_eq!(counts("sort"), (3, 3, 0));
    assert_eq!(counts("even"), (1, 1, 0));
    assert_eq!(counts("odd"), (2, 2, 0));
    assert_eq!(counts("tally"), (3, 3, 0));
    assert!(trace.step("huge").is_none());
    let sort = trace.step("sort").unwrap();
    assert_eq!(sort.accepted.get("Number"), Some(&3));
    assert_eq!(sort.produced.get("Even"), Some(&1));
    assert_eq!(sort.produced.get("Odd"), Some(&2));
    assert_eq!(sort.produced.get("Huge"), None);
    assert_eq!(trace.step("split").unwrap().written.get("Note"), Some(&1));
    assert_eq!(
        trace.step("tally").unwrap().produced.get("StopEvent"),
        Some(&1)
    );

    let graph = Graph::of::<Parity>();
    let taken: Vec<_> = graph
        .edges
        .iter()
        .zip(trace.edge_counts(&graph))
        .map(|(edge, count)| {
            let step = graph.steps[edge.step].name;
            (step, graph.events[edge.event].name, edge.kind, count)
        })
        .collect();
    use EdgeKind::{Accepts, Returns, Sends, Writes};
    assert_eq!(
        taken,
        [
            ("split", "StartEvent", Accepts, 1),
            ("split", "Number", Sends, 3),
            ("split", "Note", Writes, 1),
            ("sort", "Number", Accepts, 3),
            ("sort", "Even", Returns, 1),
            ("sort", "Odd", Returns, 2),
            ("sort", "Huge", Returns, 0),
            ("even", "Even", Accepts, 1),
            ("even", "Tally", Returns, 1),
            ("odd", "Odd", Accepts, 2),
            ("odd", "Tally", Returns, 2),
            ("huge", "Huge", Accepts, 0),
            ("huge", "Tally", Returns, 0),
            ("tally", "Tally", Accepts, 3),
            ("tally", "StopEvent", Returns, 1),
        ]
    );

    let svg = graph.to_svg_of_run(&trace);
    let (split, number) = (step_id(&graph, "split"), event_id(&graph, "Number"));
    assert!(
        edge(&svg, &split, &number).contains(r#"data-kind="sends" class="taken" data-count="3">"#)
    );
    assert!(edge(&svg, &split, &number).contains(">×3</text>"));
    let (sort, huge) = (step_id(&graph, "sort"), event_id(&graph, "Huge"));
    assert!(edge(&svg, &sort, &huge).contains(r#"class="not-taken""#));
    assert!(node(&svg, &step_id(&graph, "huge")).contains(r#"class="node step idle""#));
    assert!(node(&svg, &step_id(&graph, "huge")).contains(">did not run</text>"));
    assert!(node(&svg, &step_id(&graph, "odd")).contains(">ran 2× · "));
    assert!(node(&svg, &huge).contains(r#"class="node event idle""#));
    assert!(node(&svg, &event_id(&graph, "StopEvent")).contains(r#"class="node stop stopped""#));
    assert!(svg.contains("<desc>Stopped</desc>"));
}

// --- a run that fails halfway ------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Page {
    url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Parsed {
    title: String,
}

/// Fetches, then fails to parse, so that it never stores.
struct Pipeline;

workflow! {
    impl Pipeline {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Page {
            Page { url: "http://example.test".into() }
        }

        #[step]
        async fn parse(&self, page: Page) -> Result<Parsed> {
            anyhow::bail!("connection refused by <{}> & co", page.url)
        }

        #[step]
        async fn store(&self, parsed: Parsed) -> StopEvent<String> {
            StopEvent::new(parsed.title)
        }
    }
}

#[tokio::test]
async fn a_run_that_fails_halfway_draws_with_the_failing_step_marked() {
    let (trace, outcome, _) = record(Pipeline.runner(), StartEvent::new()).await;
    assert!(matches!(
        outcome,
        Err(WorkflowError::StepFailed { step: "parse", .. })
    ));
    let error = "connection refused by <http://example.test> & co";
    assert_eq!(
        trace.ended,
        Some(RunEnd::Failed {
            step: "parse".into(),
            event: "Page".into(),
            error: error.into(),
        })
    );
    let parse = trace.step("parse").unwrap();
    assert_eq!((parse.started, parse.finished, parse.failed), (1, 0, 1));
    assert_eq!(parse.error.as_deref(), Some(error));

    let graph = Graph::of::<Pipeline>();
    let svg = graph.to_svg_of_run(&trace);
    let parse = node(&svg, "s1");
    assert!(
        parse.starts_with(r#"<g class="node step failed" data-node="s1">"#),
        "{parse}"
    );
    assert!(parse.contains(r#"<text class="error" "#), "{parse}");
    let escaped = "connection refused by &lt;http://example.test&gt; &amp; co";
    assert!(parse.contains(&format!(">✗ {escaped}</text>")), "{parse}");
    assert!(parse.contains(r##"stroke="#d93025""##), "{parse}");
    assert!(!svg.contains("<http://example.test>"));

    assert!(node(&svg, "s0").starts_with(r#"<g class="node step ran""#));
    let store = node(&svg, "s2");
    assert!(store.starts_with(r#"<g class="node step idle" data-node="s2" opacity="#));
    assert!(store.contains(">did not run</text>"));
    let (parsed, stop) = (event_id(&graph, "Parsed"), event_id(&graph, "StopEvent"));
    assert!(edge(&svg, "s1", &parsed).contains(r#"class="not-taken""#));
    assert!(node(&svg, &stop).contains(r#"class="node stop idle""#));
    assert!(edge(&svg, &event_id(&graph, "Page"), "s1").contains(r#"class="taken""#));

    let page = graph.to_html_of_run(&trace);
    assert!(page.contains(&format!(
        r#"<p class="outcome failed" role="status">Failed in parse: {escaped}</p>"#
    )));
}

// --- a run that times out --------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Question;

/// Asks, then waits for an answer that never comes.
struct Waits {
    answer: Notify,
}

workflow! {
    impl Waits {
        #[step]
        async fn ask(&self, _ev: StartEvent) -> Question {
            Question
        }

        #[step]
        async fn wait(&self, _ev: Question) -> StopEvent<()> {
            self.answer.notified().await;
            StopEvent::new(())
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_that_times_out_ends_naming_the_step_still_running() {
    let runner = Waits {
        answer: Notify::new(),
    }
    .runner()
    .timeout(Duration::from_secs(30));
    let (trace, outcome, _) = record(runner, StartEvent::new()).await;
    assert!(matches!(outcome, Err(WorkflowError::TimedOut { .. })));
    assert_eq!(
        trace.ended,
        Some(RunEnd::TimedOut {
            after: Duration::from_secs(30),
            active_steps: vec!["wait".into()],
        })
    );
    let wait = trace.step("wait").unwrap();
    assert_eq!((wait.started, wait.finished, wait.failed), (1, 0, 0));
    assert_eq!(wait.running(), 1);

    let graph = Graph::of::<Waits>();
    let svg = graph.to_svg_of_run(&trace);
    let wait = node(&svg, "s1");
    assert!(
        wait.starts_with(r#"<g class="node step halted" data-node="s1">"#),
        "{wait}"
    );
    assert!(wait.contains(">started, never finished</text>"), "{wait}");
    assert!(
        graph
            .to_html_of_run(&trace)
            .contains(">Timed out after 30 s with wait running</p>")
    );
}

// --- durations -------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Nap {
    millis: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Rested;

struct Sleepy;

workflow! {
    impl Sleepy {
        #[step]
        async fn nap(&self, _ev: StartEvent) -> Rested {
            tokio::time::sleep(Duration::from_millis(250)).await;
            Rested
        }

        #[step(sends(Nap))]
        async fn naps(&self, ctx: &Context<Self>, _ev: Rested) {
            ctx.send_event(Nap { millis: 100 });
            ctx.send_event(Nap { millis: 25 });
        }

        #[step(num_workers = 2)]
        async fn doze(&self, ctx: &Context<Self>, nap: Nap) -> Option<StopEvent<()>> {
            tokio::time::sleep(Duration::from_millis(nap.millis)).await;
            ctx.collect_events(nap, 2)?;
            Some(StopEvent::new(()))
        }
    }
}

#[tokio::test(start_paused = true)]
async fn durations_are_exact_under_paused_time() {
    let (trace, outcome, _) = record(Sleepy.runner(), StartEvent::new()).await;
    outcome.unwrap();
    let duration = |name: &str| trace.step(name).unwrap().duration;
    assert_eq!(duration("nap"), Duration::from_millis(250));
    assert_eq!(duration("naps"), Duration::ZERO);
    // Two invocations at once, each counted in full.
    assert_eq!(duration("doze"), Duration::from_millis(125));

    // The run took 250 ms, then 100 ms for the longer nap, the shorter one
    // meanwhile: less than its steps' 375 ms.
    assert_eq!(trace.elapsed, Some(Duration::from_millis(350)));

    let svg = Graph::of::<Sleepy>().to_svg_of_run(&trace);
    assert!(node(&svg, "s0").contains(">ran 1× · 250 ms</text>"));
    assert!(node(&svg, "s1").contains(">ran 1× · 0 s</text>"));
    assert!(node(&svg, "s2").contains(">ran 2× · 125 ms in all</text>"));
    let summary = concat!(
        r#"<p class="summary">Wall time 350 ms · step time 375 ms, "#,
        "summed over 4 invocations · 3 of 3 steps ran.</p>"
    );
    assert!(
        Graph::of::<Sleepy>()
            .to_html_of_run(&trace)
            .contains(summary)
    );
}

// --- what a trace needs ----------------------------------------------------------

#[tokio::test]
async fn a_run_without_observer_events_draws_its_end_and_says_what_is_missing() {
    let mut handler = Parity.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let mut trace = RunTrace::new();
    while let Some(event) = events.next().await {
        assert!(!trace.record(&event), "{event:?}");
    }
    trace.end(&handler.await);
    assert!(trace.steps.is_empty());
    let page = Graph::of::<Parity>().to_html_of_run(&trace);
    assert!(page.contains(r#"<p class="outcome stopped" role="status">Stopped</p>"#));
    assert!(page.contains("expose_internal(true)"));
}

#[tokio::test]
async fn a_stored_trace_draws_the_same_page() {
    let (trace, _, _) = record(Parity.runner(), StartEvent::new()).await;
    let stored: RunTrace = serde_json::from_str(&serde_json::to_string(&trace).unwrap()).unwrap();
    assert_eq!(stored, trace);
    let dir = browser::tempdir("stored");
    let path = dir.join("parity.html");
    draw_most_recent_execution::<Parity>(&stored, &path).unwrap();
    let page = std::fs::read_to_string(&path).unwrap();
    assert_eq!(page, Graph::of::<Parity>().to_html_of_run(&trace));
    assert!(page.contains("<title>Parity: most recent run</title>"));
}

// --- in a browser ----------------------------------------------------------------

#[tokio::test]
async fn the_pages_of_runs_show_every_step_and_event_in_a_browser() {
    let Some(browser) = browser::chromium_or_skip("the pages of runs were") else {
        return;
    };
    let collatz = examples::branching_loop::Collatz.runner();
    let runs = [
        (
            "parity",
            Graph::of::<Parity>(),
            record(Parity.runner(), StartEvent::new()).await.0,
            "Stopped",
        ),
        (
            "pipeline",
            Graph::of::<Pipeline>(),
            record(Pipeline.runner(), StartEvent::new()).await.0,
            "Failed in parse: connection refused by &lt;http://example.test&gt; &amp; co",
        ),
        (
            "collatz",
            Graph::of::<examples::branching_loop::Collatz>(),
            record(collatz, StartEvent::new().with("n", 27)).await.0,
            "Stopped",
        ),
    ];
    let pages = browser::tempdir("runs");
    for (name, graph, trace, headline) in runs {
        let page = pages.join(format!("{name}.html"));
        std::fs::write(&page, graph.to_html_of_run(&trace)).expect("the page is written");

        let dom = browser::dom(&browser, &page);
        browser::assert_every_node_is_drawn(&dom, &graph, name);
        assert!(
            dom.contains(&format!(r#"role="status">{headline}</p>"#)),
            "{name}: no headline `{headline}`"
        );
        assert!(dom.contains("This run:"), "{name}: no legend for the run");
        browser::screenshot(&browser, &page);
    }
}
