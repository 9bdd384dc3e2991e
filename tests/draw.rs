//! Every example's `draw_all_possible_flows` page as a browser renders it:
//! opened in headless Chromium, whose DOM must hold every step and every
//! event of the workflow, and whose screenshot is kept in
//! `target/tmp/draw/pages/<example>.png` for a person to look at.
//!
//! Chromium is Debian's `chromium` package, or the program named by
//! `$CHROMIUM`. CI installs it (`.ci/run`) and the test fails there without
//! it; elsewhere, without it the test says so and checks nothing.

mod examples;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser to test with, if this machine has one.
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
/// network allows: no background requests, a fresh profile.
fn headless(browser: &Path, page: &Path, args: &[&str]) -> std::process::Output {
    let profile = tempdir("profile");
    Command::new(browser)
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
        .expect("chromium starts")
}

/// A fresh directory under `target/tmp/draw/`.
fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("draw")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the target directory is writable");
    dir
}

#[test]
fn every_step_and_event_of_every_example_appears_in_the_rendered_page() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run) for this test"
        );
        eprintln!("no chromium on PATH and no $CHROMIUM: the rendered pages were not checked");
        return;
    };
    let pages = tempdir("pages");
    for (name, graph) in examples::graphs() {
        let page = pages.join(format!("{name}.html"));
        std::fs::write(&page, graph.to_html()).expect("the page is written");

        let dom = headless(&browser, &page, &["--dump-dom"]);
        assert!(dom.status.success(), "chromium failed on {name}: {dom:?}");
        let dom = String::from_utf8_lossy(&dom.stdout);
        for (index, step) in graph.steps.iter().enumerate() {
            assert!(
                dom.contains(&format!("data-node=\"s{index}\"")),
                "{name}: step {index} is not drawn"
            );
            assert!(
                dom.contains(step.name),
                "{name}: step `{}` is not in the page",
                step.name
            );
        }
        for (index, event) in graph.events.iter().enumerate() {
            assert!(
                dom.contains(&format!("data-node=\"e{index}\"")),
                "{name}: event {index} is not drawn"
            );
            assert!(
                dom.contains(event.name),
                "{name}: event `{}` is not in the page",
                event.name
            );
        }

        let screenshot = pages.join(format!("{name}.png"));
        let shot = headless(
            &browser,
            &page,
            &[
                &format!("--screenshot={}", screenshot.display()),
                "--window-size=1280,900",
            ],
        );
        assert!(
            shot.status.success(),
            "chromium failed to screenshot {name}: {shot:?}"
        );
        let png = std::fs::read(&screenshot).expect("the screenshot is written");
        assert!(
            png.starts_with(b"\x89PNG"),
            "{name}: the screenshot is not a PNG"
        );
    }
}
