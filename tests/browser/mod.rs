//! Headless Chromium for the tests that look at drawn pages as a browser
//! renders them: the DOM it builds from a page, and a screenshot kept under
//! `target/tmp/draw/` for a person to look at.
//!
//! Chromium is Debian's `chromium` package, or the program named by
//! `$CHROMIUM`. CI installs it (`.ci/run`) and the tests fail there without
//! it; elsewhere, without it they say so and check nothing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use typed_workflows::graph::Graph;

/// The browser to test with, if this machine has one. Without one, under
/// CI it fails the test; elsewhere it says that `what` was not checked.
pub fn chromium_or_skip(what: &str) -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run) for this test"
        );
        eprintln!("no chromium on PATH and no $CHROMIUM: {what} not checked");
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

/// Takes a screenshot of `page` beside it, as a PNG of the same name.
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

/// A fresh directory under `target/tmp/draw/`.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("draw")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the target directory is writable");
    dir
}
