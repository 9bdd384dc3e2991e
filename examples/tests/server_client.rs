//! LlamaIndex's own Python client, `llama-agents-client` 0.4.1, against
//! the `serve` example, as a user of LlamaIndex would point it at a Rust
//! server: every route it has (health, workflows, schemas, graphs, run,
//! run-nowait, streams, input, results, cancel, handler lists, a stream
//! resumed after a dropped connection), over runs in memory and over
//! durable runs; and a durable run that waits for input across a restart
//! of the server, killed with SIGKILL.
//!
//! The client is installed into a virtual environment under the target
//! directory (`examples/tests/server/requirements.txt`); the checks are
//! `examples/tests/server/client_check.py`.

#[path = "server/support.rs"]
mod support;

use support::{Served, python_with, run_python};

/// What the tests need installed.
const CLIENT: &[&str] = &["requirements.txt"];

#[test]
fn the_official_client_works_against_runs_in_memory() {
    let Some(python) = python_with("client", CLIENT, "the official client") else {
        return;
    };
    let server = Served::start(&[]);
    let out = run_python(&python, "client_check.py", &["--url", &server.url]);
    assert!(out.contains("all 9 checks passed"), "{out}");
}

#[test]
fn the_official_client_works_against_durable_runs() {
    let Some(python) = python_with("client", CLIENT, "the official client") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.db");
    let server = Served::start(&["--store", store.to_str().unwrap()]);
    let out = run_python(&python, "client_check.py", &["--url", &server.url]);
    assert!(out.contains("all 9 checks passed"), "{out}");
}

#[test]
fn a_durable_run_waiting_for_input_is_answered_after_the_server_restarts() {
    let Some(python) = python_with("client", CLIENT, "a server restart") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("runs.db");
    let store = store.to_str().unwrap();
    let mut server = Served::start(&["--store", store]);
    let started = run_python(
        &python,
        "client_check.py",
        &["--url", &server.url, "start-hitl"],
    );
    let handler = started
        .lines()
        .find_map(|line| line.strip_prefix("handler "))
        .expect("the run's handler id is printed")
        .to_owned();
    let addr = server.addr().to_owned();
    server.kill();
    let server = Served::start_at(&addr, &["--store", store]);
    let answered = run_python(
        &python,
        "client_check.py",
        &["--url", &server.url, "answer-hitl", &handler],
    );
    assert!(
        answered.contains(r#"result {"response": "Ada"}"#),
        "{answered}"
    );
}
