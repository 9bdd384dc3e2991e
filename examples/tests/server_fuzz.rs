//! Schemathesis, a property-based fuzzer of HTTP APIs, against the `serve`
//! example with runs in memory, from the OpenAPI document the server
//! serves at `/openapi.json`: every route, with requests the document
//! allows and requests it does not, in examples, coverage, fuzzing and
//! stateful phases (a run's handler id followed to the routes of that
//! run), with a fixed seed and a bounded number of examples. Any failure
//! it reports fails the test: a 5xx that is not the record of a failed or
//! cancelled run, a status, content type, header or body the document does
//! not give, a request the document allows refused, one it forbids taken.
//! The document itself is first checked by `openapi-spec-validator`.
//!
//! Bounds, so that nothing waits on a run that never ends:
//! - The workflows whose runs do not end by themselves (`hitl` and
//!   `survey` wait for an answer for an hour, `stream_n` runs as long as
//!   its `n` says) are never started: a hook drops every generated case
//!   that names them. The document names no workflow (which workflows a
//!   server has is its own); its examples name `two_step`, which ends at
//!   once, so the event streams read (`GET /events/{id}`) end too.
//! - Every request has a timeout, and the fuzzer has a deadline.
//!
//! The packages are installed into a virtual environment under the target
//! directory (`examples/tests/server/requirements-fuzz.txt`).

#[path = "server/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Served, python_with, run_with_deadline, skip};

/// What the test needs installed.
const FUZZER: &[&str] = &["requirements-fuzz.txt"];

/// How long the fuzzer may take in all before the test fails.
const DEADLINE: Duration = Duration::from_secs(150);

/// Test cases per operation and phase: enough to reach every route's
/// errors, few enough for the run to take well under a minute.
const EXAMPLES: &str = "30";

/// The schemathesis settings that the command line has no option for.
const CONFIG: &str = r#"
[generation]
# The server ignores query parameters it does not know, as most do; the
# document cannot say so.
allow-extra-parameters = false
# The same cases every run, from the seed alone.
database = "none"

[checks.positive_data_acceptance]
# 422 is the answer to a request the document allows but the run cannot
# take (an event it has no input of that name for, a snapshot of another
# workflow): it depends on the run, which no schema can say.
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
"#;

/// The hooks module: which cases are made, and the check that replaces
/// `not_a_server_error`.
const HOOKS: &str = r#"
import json

import schemathesis

# Workflows whose runs do not end by themselves: `hitl` and `survey` wait
# for an answer (an hour), `stream_n` runs as long as its `n` says. A run
# of them would hold `POST /workflows/{name}/run` open, and any stream of
# it read.
LONG = {"hitl", "survey", "stream_n"}


@schemathesis.hook
def filter_path_parameters(ctx, path_parameters):
    return (path_parameters or {}).get("name") not in LONG


# The protocol answers 500 with the record of a run that failed or was
# cancelled: that is no server error. Any other 5xx is.
RECORDS = {"/workflows/{name}/run", "/handlers/{handler_id}", "/results/{handler_id}"}


@schemathesis.check
def not_an_internal_error(ctx, response, case):
    if response.status_code < 500:
        return None
    if case.operation.path in RECORDS:
        try:
            body = response.json()
        except ValueError:
            body = None
        if (
            isinstance(body, dict)
            and "handler_id" in body
            and body.get("status") in ("failed", "cancelled")
        ):
            return None
    raise AssertionError(f"Server error {response.status_code}: {response.text[:300]}")


# The generator makes the text form of a sent event (`contentMediaType:
# application/json`) from any JSON, ignoring its `contentSchema`: such
# text gets the envelope that schema asks for.
@schemathesis.hook
def map_body(ctx, body):
    if ctx.operation is None or ctx.operation.path != "/events/{handler_id}":
        return body
    if not isinstance(body, dict) or not isinstance(body.get("event"), str):
        return body
    try:
        parsed = json.loads(body["event"])
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("type"), str):
        return body
    envelope = {"type": "HumanResponseEvent", "value": {"response": body["event"]}}
    return dict(body, event=json.dumps(envelope))
"#;

#[test]
fn schemathesis_finds_nothing_wrong_with_the_server_or_its_document() {
    let what = "the schemathesis fuzz";
    let Some(python) = python_with("fuzz", FUZZER, what) else {
        return;
    };
    let bin = python.parent().expect("the venv has a bin folder");
    let document =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow-server/src/openapi.json");
    let validated = Command::new(bin.join("openapi-spec-validator"))
        .arg(&document)
        .output()
        .expect("openapi-spec-validator runs");
    assert!(
        validated.status.success(),
        "the OpenAPI document is not valid:\n{}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schemathesis.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("server_fuzz_hooks.py"), HOOKS).unwrap();
    let server = Served::start(&[]);
    let schema = format!("{}/openapi.json", server.url);
    let started = Instant::now();
    let mut fuzzer = Command::new(&python);
    fuzzer
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(dir.path().join("schemathesis.toml"))
        .args(["--no-color", "run", &schema])
        .args(["--checks", "all", "--exclude-checks", "not_a_server_error"])
        .args(["--seed", "1", "--max-examples", EXAMPLES])
        .args(["--request-timeout", "10", "--workers", "1"])
        .args(["--report", "junit", "--report-dir"])
        .arg(dir.path().join("report"))
        .current_dir(dir.path())
        .env("PYTHONPATH", dir.path())
        .env("SCHEMATHESIS_HOOKS", "server_fuzz_hooks");
    let Some(output) = run_with_deadline(&mut fuzzer, DEADLINE) else {
        panic!("schemathesis did not finish within {DEADLINE:?}: a request hung");
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stdout.trim().is_empty() && stderr.contains("No module named") {
        skip(what, "schemathesis is not importable in the venv");
        return;
    }
    assert!(
        output.status.success(),
        "schemathesis reports failures (after {:?}):\n{stdout}\n{stderr}",
        started.elapsed()
    );
    assert!(stdout.contains("Test cases:"), "{stdout}\n{stderr}");
    // The summary, on the test's output even when it passes.
    let summary = stdout
        .lines()
        .skip_while(|line| !line.contains("SUMMARY"))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("{summary}");
}
