//! The strongest hand-written server of the same shape: plain axum, whose
//! `run` of `two_step` does the two steps inline (parse the JSON, add one,
//! serialize the handler record ours answers), and whose event streams
//! are precomputed SSE frames in a shared log that readers take batch by
//! batch, woken by a `watch`. `hitl` is a task waiting on a `oneshot` for
//! the answer `POST /events/{id}` sends.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{oneshot, watch};

/// Every route the loads use.
pub fn router() -> Router {
    Router::new()
        .route("/workflows/two_step/run", post(run))
        .route("/workflows/{name}/run-nowait", post(run_nowait))
        .route("/events/{id}", get(events).post(send))
        .with_state(Arc::new(Hand::default()))
}

#[derive(Default)]
struct Hand {
    runs: Mutex<HashMap<Arc<str>, Arc<Run>>>,
    next: AtomicU64,
}

impl Hand {
    fn new_id(&self) -> String {
        format!("{:032x}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn get(&self, id: &str) -> Option<Arc<Run>> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.get(id).cloned()
    }
}

/// A run's stream: batches of encoded SSE frames, and how many there are.
struct Run {
    batches: Mutex<Vec<Bytes>>,
    progress: watch::Sender<Progress>,
    answer: Mutex<Option<oneshot::Sender<String>>>,
}

#[derive(Clone, Copy, Default)]
struct Progress {
    batches: usize,
    ended: bool,
}

impl Run {
    fn new() -> Self {
        Self {
            batches: Mutex::new(Vec::new()),
            progress: watch::Sender::new(Progress::default()),
            answer: Mutex::new(None),
        }
    }

    fn push(&self, batch: Vec<u8>, ended: bool) {
        let batches = {
            let mut held = self.batches.lock().unwrap_or_else(PoisonError::into_inner);
            held.push(Bytes::from(batch));
            held.len()
        };
        self.progress.send_modify(|progress| {
            progress.batches = batches;
            progress.ended = ended;
        });
    }

    fn batch(&self, index: usize) -> Bytes {
        self.batches.lock().unwrap_or_else(PoisonError::into_inner)[index].clone()
    }
}

#[derive(Deserialize)]
struct RunBody {
    start_event: StartX,
}

#[derive(Deserialize)]
struct StartX {
    x: i64,
}

#[derive(Deserialize)]
struct StreamBody {
    start_event: StartN,
}

#[derive(Deserialize)]
struct StartN {
    n: u64,
}

#[derive(Deserialize)]
struct SendBody {
    event: Sent,
}

#[derive(Deserialize)]
struct Sent {
    value: Human,
}

#[derive(Deserialize)]
struct Human {
    response: String,
}

/// The handler record, as ours answers it.
#[derive(Serialize)]
struct Record<'a, T> {
    handler_id: &'a str,
    workflow_name: &'a str,
    run_id: &'a str,
    error: Option<&'a str>,
    result: Option<Envelope<'a, Stopped<T>>>,
    result_unreadable: bool,
    status: &'a str,
    started_at: &'a str,
    updated_at: &'a str,
    completed_at: Option<&'a str>,
}

#[derive(Serialize)]
struct Envelope<'a, T> {
    value: T,
    qualified_name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    types: Option<()>,
}

#[derive(Serialize)]
struct Stopped<T> {
    result: T,
}

#[derive(Serialize)]
struct X {
    x: i64,
}

#[derive(Serialize)]
struct I {
    i: u64,
}

#[derive(Serialize)]
struct N {
    n: u64,
}

#[derive(Serialize)]
struct Asked<'a> {
    prefix: &'a str,
}

#[derive(Serialize)]
struct Answered<'a> {
    response: &'a str,
}

fn timestamp() -> String {
    humantime::format_rfc3339_micros(SystemTime::now()).to_string()
}

fn bad_request(error: impl std::fmt::Display) -> Response {
    let detail = serde_json::json!({ "detail": error.to_string() });
    (StatusCode::BAD_REQUEST, Json(detail)).into_response()
}

fn json_response(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `POST /workflows/two_step/run`: both steps, inline.
async fn run(State(hand): State<Arc<Hand>>, body: Bytes) -> Response {
    let request: RunBody = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return bad_request(error),
    };
    let mid = request.start_event.x + 1;
    let id = hand.new_id();
    let now = timestamp();
    let record = Record {
        handler_id: &id,
        workflow_name: "two_step",
        run_id: &id,
        error: None,
        result: Some(Envelope {
            value: Stopped {
                result: X { x: mid },
            },
            qualified_name: "workflows.events.StopEvent",
            kind: "StopEvent",
            types: None,
        }),
        result_unreadable: false,
        status: "completed",
        started_at: &now,
        updated_at: &now,
        completed_at: Some(&now),
    };
    json_response(serde_json::to_vec(&record).unwrap_or_default())
}

/// One SSE frame of `value`, numbered `seq`, onto `out`.
fn frame<T: Serialize>(out: &mut Vec<u8>, seq: u64, value: T, qualified: &str, kind: &str) {
    use std::io::Write as _;
    let _ = write!(out, "id: {seq}\ndata: ");
    let envelope = Envelope {
        value,
        qualified_name: qualified,
        kind,
        types: None,
    };
    let _ = serde_json::to_writer(&mut *out, &envelope);
    out.extend_from_slice(b"\n\n");
}

/// `POST /workflows/{name}/run-nowait`: `stream_n`'s frames are all
/// encoded at once; `hitl` asks, and a task waits for the answer.
async fn run_nowait(
    State(hand): State<Arc<Hand>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let run = Arc::new(Run::new());
    let workflow = match name.as_str() {
        "stream_n" => {
            let request: StreamBody = match serde_json::from_slice(&body) {
                Ok(request) => request,
                Err(error) => return bad_request(error),
            };
            let n = request.start_event.n;
            let mut out = Vec::with_capacity(n as usize * 80 + 128);
            for i in 0..n {
                frame(&mut out, i, I { i }, "stream_n::Tick", "Tick");
            }
            let stop = Stopped { result: N { n } };
            frame(&mut out, n, stop, "workflows.events.StopEvent", "StopEvent");
            run.push(out, true);
            "stream_n"
        }
        "hitl" => {
            let (answer, answered) = oneshot::channel::<String>();
            *run.answer.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
            let mut out = Vec::with_capacity(160);
            let asked = Asked { prefix: "name?" };
            let qualified = "workflows.events.InputRequiredEvent";
            frame(&mut out, 0, asked, qualified, "InputRequiredEvent");
            run.push(out, false);
            let waiting = run.clone();
            tokio::spawn(async move {
                let Ok(response) = answered.await else { return };
                let mut out = Vec::with_capacity(160);
                let stop = Stopped {
                    result: Answered {
                        response: &response,
                    },
                };
                frame(&mut out, 1, stop, "workflows.events.StopEvent", "StopEvent");
                waiting.push(out, true);
            });
            "hitl"
        }
        _ => return (StatusCode::NOT_FOUND, "no such workflow").into_response(),
    };
    let id = hand.new_id();
    let id: Arc<str> = id.into();
    hand.runs
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(id.clone(), run);
    let now = timestamp();
    let record: Record<'_, Value> = Record {
        handler_id: &id,
        workflow_name: workflow,
        run_id: &id,
        error: None,
        result: None,
        result_unreadable: false,
        status: "running",
        started_at: &now,
        updated_at: &now,
        completed_at: None,
    };
    json_response(serde_json::to_vec(&record).unwrap_or_default())
}

/// `GET /events/{id}`: the log's batches, from the first, as they come.
async fn events(State(hand): State<Arc<Hand>>, Path(id): Path<String>) -> Response {
    let Some(run) = hand.get(&id) else {
        return (StatusCode::NOT_FOUND, "no such handler").into_response();
    };
    let progress = run.progress.subscribe();
    let batches =
        futures_util::stream::unfold((run, 0, progress), |(run, next, mut progress)| async move {
            loop {
                let now = *progress.borrow_and_update();
                if now.batches > next {
                    let batch = run.batch(next);
                    return Some((Ok::<_, Infallible>(batch), (run, next + 1, progress)));
                }
                if now.ended || progress.changed().await.is_err() {
                    return None;
                }
            }
        });
    let mut response = Body::from_stream(batches).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `POST /events/{id}`: the answer, to the task that waits for it.
async fn send(State(hand): State<Arc<Hand>>, Path(id): Path<String>, body: Bytes) -> Response {
    let sent: SendBody = match serde_json::from_slice(&body) {
        Ok(sent) => sent,
        Err(error) => return bad_request(error),
    };
    let Some(run) = hand.get(&id) else {
        return (StatusCode::NOT_FOUND, "no such handler").into_response();
    };
    let waiting = run
        .answer
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    match waiting.map(|answer| answer.send(sent.event.value.response)) {
        Some(Ok(())) => json_response(br#"{"status":"sent"}"#.to_vec()),
        _ => (StatusCode::CONFLICT, "the run takes no answer").into_response(),
    }
}
