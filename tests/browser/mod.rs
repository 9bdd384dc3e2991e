//! Headless Chromium for the tests that look at drawn pages as a browser
//! renders them: the DOM it builds from a page, what a script working the
//! page saw, and a screenshot kept under `target/tmp/draw/` for a person to
//! look at; and [`record`], which makes the traces of the pages of runs.
//!
//! Chromium is Debian's `chromium` package, or the program named by
//! `$CHROMIUM`. CI installs it (`.ci/run`) and the tests fail there without
//! it; elsewhere, without it they say so on the test run's own output, and
//! check nothing.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use typed_workflows::graph::{Graph, RunTrace};
use typed_workflows::prelude::*;
use typed_workflows::{Output, Runner};

/// What a test that skips for want of a browser says.
pub const SKIPPED: &str = "SKIPPED: no chromium on PATH and no $CHROMIUM:";

/// Runs `runner` from `start` with observer events on, as a caller of
/// `draw_most_recent_execution` does: every event of the stream recorded,
/// then the outcome. Says which events were not observer events.
pub async fn record<W: Workflow>(
    runner: Runner<W>,
    start: W::Start,
) -> (
    RunTrace,
    Result<Output<W>, WorkflowError>,
    Vec<&'static str>,
) {
    let mut handler = runner.expose_internal(true).run(start);
    let mut trace = RunTrace::new();
    let mut others = Vec::new();
    let mut events = handler.stream_events().expect("the stream is ours");
    while let Some(event) = events.next().await {
        if !trace.record(&event) {
            others.push(event.name());
        }
    }
    let outcome = (&mut handler).await;
    trace.end(&outcome);
    (trace, outcome, others)
}

/// The browser to test with, if this machine has one. Without one, under
/// CI it fails the test; elsewhere it says that `what` was not checked.
///
/// It says so on the process's standard error itself: libtest captures
/// what `eprintln!` writes and shows it only for failed tests, so a skipped
/// test, which passes, would say nothing a person sees.
pub fn chromium_or_skip(what: &str) -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run) for this test"
        );
        let note = format!("\n{SKIPPED} {what} not checked\n");
        let _ = std::io::stderr().write_all(note.as_bytes());
    }
    browser
}

/// The browser named by `$CHROMIUM`, or `chromium` on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `page` with `args`, as a machine with no
/// network allows: no background requests, a fresh profile of its own.
pub fn headless(browser: &Path, page: &Path, args: &[&str]) -> std::process::Output {
    static PROFILES: AtomicUsize = AtomicUsize::new(0);
    let profile = tempdir(&format!(
        "profile-{}-{}",
        std::process::id(),
        PROFILES.fetch_add(1, Ordering::Relaxed)
    ));
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let _ = std::fs::remove_dir_all(&profile);
    output
}

/// The DOM that `browser` builds from `page`, serialised.
pub fn dom(browser: &Path, page: &Path) -> String {
    let dom = headless(browser, page, &["--dump-dom"]);
    assert!(
        dom.status.success(),
        "chromium failed on {}: {dom:?}",
        page.display()
    );
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// Checks that `dom`, the page `name` drew of `graph`, holds every step and
/// every event of it: a node with its id, and its name.
#[track_caller]
pub fn assert_every_node_is_drawn(dom: &str, graph: &Graph, name: &str) {
    let steps = graph.steps.iter().map(|step| step.name);
    let events = graph.events.iter().map(|event| event.name);
    let ids = (0..graph.steps.len())
        .map(|index| format!("s{index}"))
        .chain((0..graph.events.len()).map(|index| format!("e{index}")));
    for (id, node) in ids.zip(steps.chain(events)) {
        assert!(
            dom.contains(&format!("data-node=\"{id}\"")),
            "{name}: node {id} (`{node}`) is not drawn"
        );
        assert!(dom.contains(node), "{name}: `{node}` is not in the page");
    }
}

/// Takes a screenshot of `page` beside it, as a PNG of the same name, in a
/// window of 1280 × 900.
pub fn screenshot(browser: &Path, page: &Path) {
    let png = page.with_extension("png");
    let shot = headless(
        browser,
        page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,900",
        ],
    );
    assert!(
        shot.status.success(),
        "chromium failed to screenshot {}: {shot:?}",
        page.display()
    );
    let png = std::fs::read(&png).expect("the screenshot is written");
    assert!(
        png.starts_with(b"\x89PNG"),
        "{}: the screenshot is not a PNG",
        page.display()
    );
}

/// The script that works a drawing's page as a person would (see
/// [`probe`]).
const PROBE: &str = include_str!("probe.js");

/// Writes `html`, a drawing's page, to `page` with a script that zooms it
/// with the button and the wheel, drags it, fits it again, clicks the node
/// `step`, follows the first event its details name, and clicks `step`
/// again; then has `browser` run it and says what the script saw: the
/// view's CSS transform after each move (`fitted`, `zoomedIn`, `wheeled`,
/// `dragged`, `refitted`), the zoom level shown, and the details shown
/// (`shownAtFirst`, `step`, `event`: the node and its text). The page stays
/// as the script left it, for a screenshot.
pub fn probe(browser: &Path, page: &Path, html: &str, step: &str) -> serde_json::Value {
    let probed = html
        .replacen(
            "<html lang=\"en\">",
            &format!("<html lang=\"en\" data-probe-step=\"{step}\">"),
            1,
        )
        .replacen(
            "</body>",
            &format!("<script>\n{PROBE}</script>\n</body>"),
            1,
        );
    std::fs::write(page, probed).expect("the page is written");
    let dom = dom(browser, page);
    let start = dom
        .find("<pre id=\"probe\" hidden=\"\">")
        .unwrap_or_else(|| panic!("the probe wrote nothing: {dom}"));
    let json = &dom[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|error| panic!("{error}: {json}"))
}

/// A fresh directory under `target/tmp/draw/`.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("draw")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the target directory is writable");
    dir
}
