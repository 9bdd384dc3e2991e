//! The three loads, each against a [`Target`], so that one generator
//! drives any server that speaks the protocol.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail, ensure};
use axum::body::Bytes;
use hyper::{Method, StatusCode};
use memchr::memmem::Finder;

use crate::client::{Conn, Target};

/// What `POST /workflows/two_step/run` is sent.
const RUN_BODY: &str = r#"{"start_event": {"x": 41}}"#;
/// What a human answers the `hitl` run.
const ANSWER: &str = r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#;

/// `run` requests of `two_step` on `connections` keep-alive connections,
/// each sending its next request once its last is answered, for `length`.
pub struct RunStats {
    pub requests: u64,
    pub elapsed: Duration,
    /// Every request's latency, sorted.
    pub latencies: Vec<Duration>,
}

impl RunStats {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at `quantile` (0.5, 0.99).
    pub fn latency(&self, quantile: f64) -> Duration {
        quantile_of(&self.latencies, quantile)
    }
}

pub async fn run(target: &Target, connections: usize, length: Duration) -> Result<RunStats> {
    let mut conns = Conn::open_many(target, connections).await?;
    // One request first, whose answer is checked.
    let (status, answer) = conns[0]
        .call(Method::POST, "/workflows/two_step/run", Some(run_body()))
        .await?;
    let text = String::from_utf8_lossy(&answer);
    ensure!(
        status == StatusCode::OK && (text.contains(r#""x":42"#) || text.contains(r#""x": 42"#)),
        "two_step's run answered {status}: {text}"
    );
    let started = Instant::now();
    let deadline = started + length;
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(1 << 14);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let (status, _) = conn
                        .call(Method::POST, "/workflows/two_step/run", Some(run_body()))
                        .await?;
                    ensure!(status == StatusCode::OK, "two_step's run answered {status}");
                    latencies.push(sent.elapsed());
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(RunStats {
        requests: latencies.len() as u64,
        elapsed,
        latencies,
    })
}

fn run_body() -> Bytes {
    Bytes::from_static(RUN_BODY.as_bytes())
}

/// Events delivered to SSE readers, and how long from the run's start
/// until the last reader had its stop event.
pub struct SseStats {
    pub events: u64,
    pub elapsed: Duration,
}

impl SseStats {
    pub fn per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

/// The body of a `stream_n` run of `n` ticks.
fn stream_body(n: u64) -> Bytes {
    Bytes::from(format!(r#"{{"start_event": {{"n": {n}}}}}"#))
}

/// One run of `stream_n` writing `n` ticks, read from its first event by
/// `readers` readers, each on its own connection, opened beforehand. The
/// time runs from `run-nowait` until every reader has read the stop event.
pub async fn sse(target: &Target, readers: usize, n: u64) -> Result<SseStats> {
    let mut control = Conn::open(target).await?;
    let conns = Conn::open_many(target, readers).await?;
    let body = stream_body(n);
    let started = Instant::now();
    let id: Arc<str> = control.run_nowait("stream_n", body).await?.into();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let id = id.clone();
            tokio::spawn(async move {
                let stop = Finder::new("StopEvent");
                let mut events = conn.events(&id).await?;
                let stopped = events.drain(&stop).await?;
                ensure!(
                    stopped,
                    "the stream of run {id} ended without its stop event"
                );
                Ok(events.frames.events)
            })
        })
        .collect();
    let mut events = 0;
    for task in tasks {
        events += task.await??;
    }
    let elapsed = started.elapsed();
    let expected = readers as u64 * (n + 1);
    if events < expected {
        bail!("the readers got {events} events, not {expected} (n ticks and the stop event each)");
    }
    Ok(SseStats { events, elapsed })
}

/// `runs` human-in-the-loop round trips, one after another: each starts a
/// `hitl` run, reads its stream until the `InputRequiredEvent`, then times
/// from sending the answer (`POST /events/{id}`) to the stop event's
/// arrival on the stream. The round trips, sorted.
pub async fn hitl(target: &Target, runs: usize) -> Result<Vec<Duration>> {
    let mut control = Conn::open(target).await?;
    let mut reader = Conn::open(target).await?;
    let asked = Finder::new("InputRequiredEvent");
    let stop = Finder::new("StopEvent");
    let mut trips = Vec::with_capacity(runs);
    for _ in 0..runs {
        let id = control
            .run_nowait("hitl", Bytes::from_static(br#"{"start_event": {}}"#))
            .await?;
        let mut events = reader.events(&id).await?;
        ensure!(
            events.until(&asked).await?,
            "run {id}'s stream ended before its InputRequiredEvent"
        );
        let path = format!("/events/{id}");
        let sent = Instant::now();
        let (posted, stopped) = tokio::join!(
            control.call(
                Method::POST,
                &path,
                Some(Bytes::from_static(ANSWER.as_bytes()))
            ),
            async {
                let seen = events.until(&stop).await;
                (seen, Instant::now())
            }
        );
        let (seen, arrived) = stopped;
        ensure!(seen?, "run {id}'s stream ended before its StopEvent");
        let (status, answer) = posted?;
        ensure!(
            status == StatusCode::OK,
            "POST {path} answered {status}: {}",
            String::from_utf8_lossy(&answer)
        );
        trips.push(arrived - sent);
        events.drain(&stop).await?;
    }
    trips.sort_unstable();
    Ok(trips)
}

/// The value at `quantile` of `sorted`.
pub fn quantile_of(sorted: &[Duration], quantile: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 * quantile).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Waits until `target` answers `GET /health` at once three times in a
/// row (each within 2 ms, 20 ms apart), for up to 10 s: until it is done
/// with the work the last load left, so that it does not take the next
/// version's turn. Ours and the hand-written server have no `/health` in
/// common, so any answer counts, a 404 too.
pub async fn settle(target: &Target) -> Result<()> {
    let mut conn = Conn::open(target).await?;
    let mut quick = 0;
    let started = Instant::now();
    while quick < 3 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let asked = Instant::now();
        conn.call(Method::GET, "/health", None).await?;
        quick = if asked.elapsed() < Duration::from_millis(2) {
            quick + 1
        } else {
            0
        };
    }
    Ok(())
}
