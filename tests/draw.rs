//! Every example's `draw_all_possible_flows` page as a browser renders it:
//! opened in headless Chromium, whose DOM must hold every step and every
//! event of the workflow, and whose screenshot is kept in
//! `target/tmp/draw/pages/<example>.png` for a person to look at. Then the
//! page worked as a person would: zoomed, dragged, and a step clicked for
//! its details (`target/tmp/draw/probed/`).
//!
//! Chromium is Debian's `chromium` package, or the program named by
//! `$CHROMIUM`. CI installs it (`.ci/run`) and the test fails there without
//! it; elsewhere, without it the test says so and checks nothing.

mod browser;
mod examples;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use typed_workflows::graph::Graph;
use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepFailedEvent};

#[test]
fn every_step_and_event_of_every_example_appears_in_the_rendered_page() {
    let Some(browser) = browser::chromium_or_skip("the rendered pages were") else {
        return;
    };
    let pages = browser::tempdir("pages");
    for (name, graph) in examples::graphs() {
        let page = pages.join(format!("{name}.html"));
        std::fs::write(&page, graph.to_html()).expect("the page is written");

        let dom = browser::dom(&browser, &page);
        browser::assert_every_node_is_drawn(&dom, &graph, name);
        browser::screenshot(&browser, &page);
    }
}

/// An order and what is in it.
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Order {
    id: u32,
    items: Vec<String>,
}

/// An order packed, ready to ship.
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Parcel {
    id: u32,
    grams: u64,
}

/// Packing retries with backoff: the warehouse's scanner is flaky.
const FLAKY_SCANNER: RetryPolicy = RetryPolicy::exponential(Duration::from_millis(200))
    .max_delay(Duration::from_secs(5))
    .max_attempts(5);

/// A fan-out over orders, packed eight at once with retries and a timeout,
/// gathered to ship, and a step that catches the packer's failures.
struct Warehouse;

#[workflow_impl]
impl Warehouse {
    #[step]
    async fn split(&self, _start: StartEvent) -> Vec<Order> {
        (0..3)
            .map(|id| Order {
                id,
                items: vec!["book".into()],
            })
            .collect()
    }

    #[step(num_workers = 8, retry = FLAKY_SCANNER, timeout = Duration::from_secs(30))]
    async fn pack(&self, order: Order) -> Parcel {
        Parcel {
            id: order.id,
            grams: 300 * order.items.len() as u64,
        }
    }

    #[step]
    async fn ship(&self, parcels: Vec<Parcel>) -> StopEvent<u64> {
        StopEvent::new(parcels.iter().map(|parcel| parcel.grams).sum())
    }

    #[step(catches(pack))]
    async fn refund(&self, failed: StepFailedEvent) -> StopEvent<u64> {
        StopEvent::new(u64::from(failed.attempts))
    }
}

/// The `translate(x, y) scale(k)` of a view, as numbers.
fn view(seen: &Value, key: &str) -> [f64; 3] {
    let transform = seen[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key}: {seen}"));
    let numbers: Vec<f64> = transform
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    assert!(transform.starts_with("translate("), "{key}: {transform}");
    numbers
        .try_into()
        .unwrap_or_else(|_| panic!("{key}: {transform}"))
}

#[test]
fn the_page_zooms_pans_and_shows_a_steps_workers_retry_and_timeout() {
    let Some(browser) = browser::chromium_or_skip("zooming and the details panel were") else {
        return;
    };
    let graph = Graph::of::<Warehouse>();
    assert_eq!(graph.steps[1].name, "pack");
    let dir = browser::tempdir("probed");
    let page = dir.join("warehouse.html");
    let seen = browser::probe(&browser, &page, &graph.to_html(), "s1");

    // Fitted at first; the + button zooms by a quarter around the middle.
    let [_, _, fitted] = view(&seen, "fitted");
    let [_, _, zoomed] = view(&seen, "zoomedIn");
    assert!((zoomed / fitted - 1.25).abs() < 1e-6, "{seen}");
    assert_eq!(
        seen["zoomedInLevel"],
        format!("{} %", (zoomed * 100.0).round())
    );
    // The wheel zooms in further, around the pointer.
    let [_, _, wheeled] = view(&seen, "wheeled");
    assert!(wheeled > zoomed, "{seen}");
    // A drag moves the view by as much as the pointer moved, at one scale.
    let [x, y, k] = view(&seen, "wheeled");
    let [dragged_x, dragged_y, dragged_k] = view(&seen, "dragged");
    // (The transform's numbers are rounded to six digits.)
    let near = |a: f64, b: f64| (a - b).abs() < 1e-3;
    assert!(
        near(dragged_x - x, 60.0) && near(dragged_y - y, 50.0) && near(dragged_k, k),
        "{seen}"
    );
    assert_eq!(seen["refitted"], seen["fitted"]);

    // Nothing is open until a node is clicked; then its details are.
    assert_eq!(seen["shownAtFirst"], Value::Null);
    assert_eq!(seen["hintAtFirst"], "block");
    assert_eq!(seen["step"]["node"], "s1");
    let details = seen["step"]["text"].as_str().unwrap();
    for line in [
        "STEP pack",
        "Takes\nOrder",
        "Returns\nParcel",
        "Workers\n8 at once",
        "Retry\n5 attempts, waiting 200 ms then ×2 each time, up to 5 s",
        "Timeout\n30 s per attempt",
        "Failures\ncaught by refund",
    ] {
        assert!(details.contains(line), "`{line}` not in:\n{details}");
    }
    assert_eq!(seen["stepSelected"], true);
    assert_eq!(seen["linkedEdges"], 3, "takes Order, returns Parcel, fails");
    assert_eq!(seen["hintAfter"], "none");

    // Its details link to the event it takes, whose fields they show.
    assert_eq!(seen["event"]["node"], "e1");
    let event = seen["event"]["text"].as_str().unwrap();
    assert!(
        event.contains("Fields\nid: u32, items: Vec<String>"),
        "{event}"
    );
    assert!(event.contains("From\nsplit"), "{event}");

    browser::screenshot(&browser, &page);
}

#[tokio::test]
async fn the_page_of_a_run_says_what_a_step_did_and_how_many_events_were_gathered() {
    let Some(browser) = browser::chromium_or_skip("the details of a run were") else {
        return;
    };
    let (trace, outcome, _) = browser::record(Warehouse.runner(), StartEvent::new()).await;
    assert_eq!(outcome.unwrap(), 900);
    let graph = Graph::of::<Warehouse>();
    let html = graph.to_html_of_run(&trace);
    let gathered =
        r#"<g data-from="e2" data-to="s2" data-kind="gathers" class="taken" data-count="3">"#;
    assert!(html.contains(gathered), "{html}");
    let fanned =
        r#"<g data-from="s0" data-to="e1" data-kind="fans-out" class="taken" data-count="3">"#;
    assert!(html.contains(fanned), "{html}");

    let dir = browser::tempdir("probed-run");
    let page = dir.join("warehouse.html");
    let seen = browser::probe(&browser, &page, &html, "s1");
    let details = seen["step"]["text"].as_str().unwrap();
    assert!(details.contains("Workers\n8 at once"), "{details}");
    let run = &details[details.find("This run").expect(details)..];
    assert!(run.contains("ran 3× · "), "{details}");
    let dom = browser::dom(&browser, &page);
    assert!(
        dom.contains(">all 3</text>"),
        "the gather says how many it took"
    );
    assert!(
        dom.contains(">×3</text>"),
        "the fan-out says how many it made"
    );
    browser::screenshot(&browser, &page);
}

#[test]
fn a_test_without_chromium_says_so_where_it_shows() {
    // This test binary again, with no browser to find, running the test
    // above as `cargo test` would: its output captured.
    let test = "the_page_zooms_pans_and_shows_a_steps_workers_retry_and_timeout";
    let run = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--test-threads=1"])
        .env("PATH", "")
        .env_remove("CHROMIUM")
        .env_remove("CI")
        .output()
        .expect("the test binary runs");
    assert!(run.status.success(), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let note = format!(
        "{} zooming and the details panel were not checked",
        browser::SKIPPED
    );
    assert!(stderr.contains(&note), "{stderr}");
}
