//! Two servers on one PostgreSQL database, as two machines would share
//! it: a run started through one is streamed, answered and cancelled
//! through the other.
//!
//! It reads `DATABASE_URL` (`.ci/postgres` starts a server and prints it),
//! and puts its tables in a schema of its own, dropped at the end. Without
//! a server it says that it was skipped; under CI it fails.

#[path = "server/support.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use support::{Served, skip};

/// What the test checks, for [`skip`].
const WHAT: &str = "two servers on one PostgreSQL database";

/// A schema of the database, dropped when the test ends however it ends.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    /// A fresh schema's name on the database at `$DATABASE_URL`, if one
    /// answers.
    fn fresh() -> Option<Self> {
        let Ok(url) = std::env::var("DATABASE_URL") else {
            skip(
                WHAT,
                "DATABASE_URL is not set (eval \"$(.ci/postgres)\" sets it)",
            );
            return None;
        };
        if !psql(&url, "select 1") {
            skip(WHAT, &format!("no PostgreSQL answers at {url}"));
            return None;
        }
        let name = format!("test_servers_{}", std::process::id());
        Some(Self { url, name })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        psql(
            &self.url,
            &format!("drop schema if exists {} cascade", self.name),
        );
    }
}

/// Runs `sql` with psql; whether it succeeded.
fn psql(url: &str, sql: &str) -> bool {
    Command::new("psql")
        .args([url, "-qAtc", sql])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// A request to the server at `addr`: its status and body.
fn request(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// Reads the event stream of `handler` from the server at `addr` until a
/// line holds `wanted`; the lines read.
fn read_stream_until(addr: &str, handler: &str, wanted: &str) -> Vec<String> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /events/{handler}?after_sequence=-1 HTTP/1.0\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stream).lines() {
        let line =
            line.unwrap_or_else(|error| panic!("no {wanted} on the stream: {error}: {lines:?}"));
        let done = line.contains(wanted);
        lines.push(line);
        if done {
            return lines;
        }
    }
    panic!("the stream ended before {wanted}: {lines:?}");
}

fn handler_id(record: &str) -> String {
    let record: serde_json::Value = serde_json::from_str(record).unwrap();
    record["handler_id"].as_str().unwrap().to_owned()
}

#[test]
fn a_run_started_through_one_server_is_streamed_answered_and_cancelled_through_another() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    let server = |worker: &str| {
        Served::start(&[
            "--store",
            &schema.url,
            "--schema",
            &schema.name,
            "--worker",
            worker,
        ])
    };
    let (a, b) = (server("a"), server("b"));

    let (status, record) = request(a.addr(), "POST", "/workflows/hitl/run-nowait", "{}");
    assert_eq!(status, 200, "{record}");
    let id = handler_id(&record);
    read_stream_until(b.addr(), &id, "InputRequiredEvent");
    let answer = r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#;
    let (status, sent) = request(b.addr(), "POST", &format!("/events/{id}"), answer);
    assert_eq!(status, 200, "{sent}");
    let lines = read_stream_until(a.addr(), &id, "StopEvent");
    assert!(
        lines
            .last()
            .unwrap()
            .contains(r#""result":{"response":"Ada"}"#),
        "{lines:?}"
    );
    let (status, record) = request(b.addr(), "GET", &format!("/handlers/{id}"), "");
    assert_eq!(status, 200, "{record}");

    let (_, record) = request(b.addr(), "POST", "/workflows/hitl/run-nowait", "{}");
    let other = handler_id(&record);
    read_stream_until(a.addr(), &other, "InputRequiredEvent");
    let (status, cancelled) = request(a.addr(), "POST", &format!("/handlers/{other}/cancel"), "");
    assert_eq!(
        (status, cancelled.as_str()),
        (200, r#"{"status":"cancelled"}"#)
    );
    read_stream_until(b.addr(), &other, "WorkflowCancelledEvent");
    let (status, record) = request(b.addr(), "GET", &format!("/handlers/{other}"), "");
    assert_eq!(status, 500, "a cancelled run's record: {record}");
    assert!(record.contains(r#""status":"cancelled""#), "{record}");
}
