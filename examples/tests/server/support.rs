//! What the server tests share: the `served` program (the `serve`
//! example) as a process of its own; a Python virtual environment holding
//! the packages a test needs (LlamaIndex's client, a fuzzer); and the rule
//! for a tool this machine lacks: the test says on its output that it
//! checked nothing, and fails instead under CI (`$CI` set), which installs
//! what it needs (`.ci/run`).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The `served` program, listening on a port of its own on loopback.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Served {
    /// Starts `served` with `args` beside `--addr 127.0.0.1:0`, and waits
    /// for it to say where it listens.
    pub fn start(args: &[&str]) -> Self {
        Self::start_at("127.0.0.1:0", args)
    }

    /// Starts `served` on `addr` (to start it again where it was).
    pub fn start_at(addr: &str, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_served"))
            .args(["--addr", addr])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the served program starts");
        let stdout = child.stdout.take().expect("its output is piped");
        let (said, heard) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = said.send(line);
            }
            // Keeps reading, so that the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = heard
            .recv_timeout(START_TIMEOUT)
            .expect("the server says where it listens");
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server's first line names its address: {line}"))
            .to_owned();
        Self { child, url }
    }

    /// The `host:port` it listens on.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Kills it with SIGKILL, as a crash would, and waits for it to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Says that `what` was not checked, because `why`; under CI, fails.
///
/// It writes to the process's standard error itself: libtest shows what
/// `eprintln!` writes only for tests that fail.
pub fn skip(what: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what}: {why}; CI must provide it (see .ci/run)"
    );
    let note = format!("\nSKIPPED: {what} not checked: {why}\n");
    let _ = std::io::stderr().write_all(note.as_bytes());
}

/// Serialises the making of virtual environments among the tests of one
/// test program.
static VENVS: Mutex<()> = Mutex::new(());

/// The Python of a virtual environment named `name` under the target
/// directory holding the packages of `requirements` (files of this
/// folder), made or brought up to date first; `None`, having said so
/// (see [`skip`]), if this machine has no Python with `venv` or cannot
/// install them.
pub fn python_with(name: &str, requirements: &[&str], what: &str) -> Option<PathBuf> {
    let _one_at_a_time = VENVS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("venvs")
        .join(name);
    let python = venv.join("bin/python");
    let wanted: String = requirements
        .iter()
        .map(|file| std::fs::read_to_string(here().join(file)).expect("the requirements are here"))
        .collect();
    let stamp = venv.join("installed.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Some(python);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status();
    if !made.is_ok_and(|status| status.success()) {
        skip(what, "no python3 with the venv module");
        return None;
    }
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    for file in requirements {
        pip.arg("-r").arg(here().join(file));
    }
    if !pip.status().is_ok_and(|status| status.success()) {
        skip(
            what,
            "pip could not install the packages (is PyPI reachable?)",
        );
        return None;
    }
    std::fs::write(&stamp, wanted).expect("the stamp is written");
    Some(python)
}

/// This folder: `examples/tests/server`.
pub fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/server")
}

/// Runs `python script args...` from this folder, and gives its standard
/// output; fails the test with both outputs if it fails.
pub fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let output = Command::new(python)
        .arg(here().join(script))
        .args(args)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs `command` with its output collected, killing it if it has not
/// ended by `deadline`: its output, or `None` once killed.
pub fn run_with_deadline(
    command: &mut Command,
    deadline: Duration,
) -> Option<std::process::Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    // Read on threads of their own, so that a full pipe never stalls it.
    let readers = [
        read_to_end(child.stdout.take().expect("its output is piped")),
        read_to_end(child.stderr.take().expect("its errors are piped")),
    ];
    let until = Instant::now() + deadline;
    // A watchdog, not a wait for an outcome: the command's end is what is
    // awaited, checked every 50 ms.
    let status = loop {
        if let Some(status) = child.try_wait().expect("the command is waited for") {
            break Some(status);
        }
        if Instant::now() >= until {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let [stdout, stderr] = readers.map(|reader| reader.join().unwrap_or_default());
    status.map(|status| std::process::Output {
        status,
        stdout,
        stderr,
    })
}

/// A thread that reads `from` to its end.
fn read_to_end(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        bytes
    })
}
