//! The debugger page at `/`, in a headless Chromium driven by Playwright,
//! against the `serve` example started with a bearer token: the page asks
//! for the token and is given it, runs `survey` answering its two
//! questions live, sees the result and the graph light up, and cancels a
//! run of `hitl` (`examples/tests/server/page_check.mjs`, which takes a
//! screenshot at each stage into `target/tmp/page/screenshots/memory` and
//! `.../durable`): over runs in memory, and over durable runs.
//!
//! It needs Debian's `chromium` (on `PATH`, or named by `$CHROMIUM`) and
//! Node.js with npm; `playwright-core`, pinned by
//! `examples/tests/server/package-lock.json`, is installed under the
//! target directory once, and again only when the lockfile changes.

#[path = "server/support.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use support::{Served, here, run_with_deadline, skip};

/// What the test checks, for [`skip`].
const WHAT: &str = "the debugger page in a browser";
/// The token the server is started with, and the page is given.
const TOKEN: &str = "page-check-token";
/// How long the browser check may take before it is killed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(180);

/// Serialises the installing of `playwright-core` among the tests.
static NPM: Mutex<()> = Mutex::new(());

#[test]
fn the_debugger_page_runs_answers_and_cancels_runs_in_memory() {
    check_page("memory", &[]);
}

#[test]
fn the_debugger_page_runs_answers_and_cancels_durable_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.db");
    check_page("durable", &["--store", store.to_str().unwrap()]);
}

/// Runs the browser check against `served` started with `args` and the
/// token, its screenshots under `screenshots/<name>`.
fn check_page(name: &str, args: &[&str]) {
    let chromium = match chromium() {
        Ok(chromium) => chromium,
        Err(why) => return skip(WHAT, &why),
    };
    let (Some(node), Some(npm)) = (on_path("node"), on_path("npm")) else {
        skip(WHAT, "no node and npm on PATH");
        return;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("page");
    let Some(scripts) = playwright(&work.join("node"), &npm) else {
        return;
    };
    let shots = work.join("screenshots").join(name);
    let _ = std::fs::remove_dir_all(&shots);
    let server = Served::start(&[&["--token", TOKEN], args].concat());
    let started = Instant::now();
    let (ok, out) = run_check(
        Command::new(node)
            .arg(scripts.join("page_check.mjs"))
            .arg(&server.url)
            .arg(&chromium)
            .arg(&shots)
            .arg(TOKEN),
    );
    assert!(ok, "page_check.mjs failed over runs in {name}:\n{out}");
    assert!(out.contains("page check passed"), "{out}");
    let note = format!(
        "\nthe debugger page passed over runs in {name} in {:.1} s; screenshots in {}\n",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    let _ = std::io::stderr().write_all(note.as_bytes());
}

/// The Chromium to drive: `$CHROMIUM`, or `chromium` on `PATH`; or why
/// there is none.
fn chromium() -> Result<PathBuf, String> {
    match std::env::var_os("CHROMIUM").filter(|path| !path.is_empty()) {
        Some(path) if executable(Path::new(&path)) => Ok(PathBuf::from(path)),
        Some(path) => Err(format!("$CHROMIUM ({}) is no program", path.display())),
        None => on_path("chromium")
            .ok_or_else(|| "no chromium on PATH, and $CHROMIUM is not set".to_owned()),
    }
}

/// The program `name` in a folder of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| executable(candidate))
}

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(path: &Path) -> bool {
    path.is_file()
}

/// `dir`, holding `playwright-core` as the lockfile pins it and the check
/// script beside it (so that its `import` finds the package); installed
/// with `npm ci` unless the lockfile is what was installed last. `None`,
/// having said so, if npm cannot install it.
fn playwright(dir: &Path, npm: &Path) -> Option<PathBuf> {
    let _one_at_a_time = NPM.lock().unwrap_or_else(PoisonError::into_inner);
    std::fs::create_dir_all(dir).expect("the npm folder is made");
    let lock = std::fs::read_to_string(here().join("package-lock.json")).expect("the lockfile");
    let stamp = dir.join("installed-lock.json");
    let installed = std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str())
        && dir
            .join("node_modules/playwright-core/package.json")
            .is_file();
    if !installed {
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(here().join(file), dir.join(file)).expect("the package files are copied");
        }
        let (ok, out) = run_check(
            Command::new(npm)
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir),
        );
        if !ok {
            skip(
                WHAT,
                &format!(
                    "npm could not install playwright-core (is the registry reachable?):\n{out}"
                ),
            );
            return None;
        }
        std::fs::write(&stamp, &lock).expect("the stamp is written");
    }
    std::fs::copy(here().join("page_check.mjs"), dir.join("page_check.mjs"))
        .expect("the check script is copied");
    Some(dir.to_owned())
}

/// Runs `command` to its end, or kills it after [`CHECK_TIMEOUT`]: whether
/// it succeeded, and its standard output and error.
fn run_check(command: &mut Command) -> (bool, String) {
    match run_with_deadline(command, CHECK_TIMEOUT) {
        Some(output) => (
            output.status.success(),
            format!(
                "{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        ),
        None => (
            false,
            format!("(killed after {} s)", CHECK_TIMEOUT.as_secs()),
        ),
    }
}
