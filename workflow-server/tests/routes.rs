//! The routes, called in the test's own process (no socket): what they
//! answer to good requests and bad ones, over runs in memory and durable
//! runs.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use typed_workflows::prelude::*;
use typed_workflows::store::MemoryStore;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
use workflow_server::Server;

#[event]
struct Mid {
    x: i64,
}

struct TwoStep;

#[workflow_impl]
impl TwoStep {
    #[step]
    async fn first(&self, start: StartEvent) -> Result<Mid> {
        Ok(Mid {
            x: start.get::<i64>("x")? + 1,
        })
    }

    #[step]
    async fn second(&self, mid: Mid) -> StopEvent<i64> {
        StopEvent::new(mid.x)
    }
}

struct Hitl;

#[workflow_impl]
impl Hitl {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let prompt = InputRequiredEvent {
            prefix: "name?".into(),
        };
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(prompt)
            .await?;
        Ok(StopEvent::new(answer.response))
    }
}

/// A typed start event.
#[event(start)]
struct Order {
    item: String,
    count: u32,
}

#[data]
#[derive(Default)]
struct Tally {
    runs: u32,
}

struct Shop;

#[workflow_impl(state = Tally)]
impl Shop {
    #[step]
    async fn order(&self, ctx: &Context<Self>, order: Order) -> StopEvent<String> {
        let runs = ctx.edit_state(|tally| {
            tally.runs += 1;
            tally.runs
        });
        StopEvent::new(format!("{} x{} (run {runs})", order.item, order.count))
    }
}

fn server() -> Server {
    Server::new()
        .workflow("two_step", TwoStep)
        .workflow("hitl", Hitl)
        .workflow("shop", Shop)
}

async fn router(server: Server) -> Router {
    server.into_router().await.expect("the server's routes")
}

/// What a route answered.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

async fn call(router: &Router, method: Method, uri: &str, body: &str) -> Answer {
    call_with(router, method, uri, body, &[]).await
}

async fn call_with(
    router: &Router,
    method: Method,
    uri: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body.to_owned())).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

/// Starts a run with run-nowait; its handler id.
async fn start(router: &Router, workflow: &str, body: &str) -> String {
    let answer = call(
        router,
        Method::POST,
        &format!("/workflows/{workflow}/run-nowait"),
        body,
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()["handler_id"].as_str().unwrap().to_owned()
}

/// The body of an event stream, chunk by chunk, as it comes.
async fn open_stream(
    router: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (
    StatusCode,
    impl futures_util::Stream<Item = Bytes> + Unpin + use<>,
) {
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let chunks = response
        .into_body()
        .into_data_stream()
        .map(|chunk| chunk.expect("the stream reads"));
    (status, chunks)
}

/// Reads `chunks` until their text holds `wanted`; the text read.
async fn read_until(
    chunks: &mut (impl futures_util::Stream<Item = Bytes> + Unpin),
    wanted: &str,
) -> String {
    let mut text = String::new();
    let reading = async {
        while !text.contains(wanted) {
            let chunk = chunks
                .next()
                .await
                .unwrap_or_else(|| panic!("the stream ended before {wanted:?}: {text}"));
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(10), reading)
        .await
        .unwrap_or_else(|_| panic!("no {wanted:?} within 10 s"));
    text
}

/// The SSE ids in `text`, in order.
fn ids(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .map(|id| id.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_run_goes_to_its_result_and_its_record_says_so() {
    let router = router(server()).await;
    let answer = call(
        &router,
        Method::POST,
        "/workflows/two_step/run",
        r#"{"start_event": {"_data": {"x": 41}}}"#,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let record = answer.json();
    assert_eq!(record["status"], "completed");
    assert_eq!(record["result"]["value"], json!({"result": 42}));
    assert_eq!(
        record["result"]["qualified_name"],
        "workflows.events.StopEvent"
    );
    let id = record["handler_id"].as_str().unwrap();
    let bare = call(&router, Method::GET, &format!("/results/{id}"), "").await;
    assert_eq!(bare.json()["result"], 42);
    // A run that fails: its record says why, with 500.
    let failed = call(
        &router,
        Method::POST,
        "/workflows/two_step/run",
        r#"{"start_event": {}}"#,
    )
    .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.json()["status"], "failed");
    assert!(
        failed.json()["error"]
            .as_str()
            .unwrap()
            .contains("no value named `x`")
    );
}

#[tokio::test]
async fn bad_requests_get_a_status_and_a_detail_that_says_what_is_wrong() {
    let router = router(server()).await;
    let not_json = call(
        &router,
        Method::POST,
        "/workflows/two_step/run",
        "{\"start_event\": ",
    )
    .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(
        not_json.detail().contains("not JSON"),
        "{}",
        not_json.detail()
    );
    let unknown = call(&router, Method::POST, "/workflows/three_step/run", "{}").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.detail().contains("hitl, shop, two_step"),
        "{}",
        unknown.detail()
    );
    let typed = call(
        &router,
        Method::POST,
        "/workflows/shop/run",
        r#"{"start_event": {"item": "tea"}}"#,
    )
    .await;
    assert_eq!(typed.status, StatusCode::BAD_REQUEST);
    assert!(
        typed.detail().contains("not a `Order`") && typed.detail().contains("count"),
        "{}",
        typed.detail()
    );
    let no_handler = call(&router, Method::GET, "/handlers/nope", "").await;
    assert_eq!(
        (no_handler.status, no_handler.detail().as_str()),
        (StatusCode::NOT_FOUND, "Handler not found")
    );
    let no_stream = call(&router, Method::GET, "/events/nope", "").await;
    assert_eq!(no_stream.status, StatusCode::NOT_FOUND);
    let bad_after = call(&router, Method::GET, "/events/nope?after_sequence=soon", "").await;
    assert_eq!(bad_after.status, StatusCode::BAD_REQUEST);
    let bad_status = call(&router, Method::GET, "/handlers?status=asleep", "").await;
    assert_eq!(bad_status.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn input_the_run_does_not_take_is_refused_and_a_finished_run_takes_none() {
    let router = router(server()).await;
    let id = start(&router, "hitl", "{}").await;
    let send = |body: &'static str| {
        let router = router.clone();
        let id = id.clone();
        async move { call(&router, Method::POST, &format!("/events/{id}"), body).await }
    };
    let not_input = send(r#"{"event": {"type": "Mid", "value": {"x": 1}}}"#).await;
    assert_eq!(not_input.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_input
            .detail()
            .contains("its input events are: HumanResponseEvent"),
        "{}",
        not_input.detail()
    );
    let wrong_step = send(
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "a"}}, "step": "tell"}"#,
    )
    .await;
    assert_eq!(wrong_step.status, StatusCode::UNPROCESSABLE_ENTITY);
    let malformed =
        send(r#"{"event": {"type": "HumanResponseEvent", "value": {"answer": "a"}}}"#).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        malformed.detail().contains("response"),
        "{}",
        malformed.detail()
    );
    let no_event = send("{}").await;
    assert_eq!(no_event.status, StatusCode::BAD_REQUEST);
    let running = call(&router, Method::GET, &format!("/handlers/{id}"), "").await;
    assert_eq!(running.status, StatusCode::ACCEPTED);
    let answered = send(r#"{"event": {"type": "HumanResponseEvent", "value": {"_data": {"response": "Ada"}}}, "step": "ask"}"#).await;
    assert_eq!(answered.json(), json!({"status": "sent"}));
    let (_, mut stream) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    read_until(&mut stream, "StopEvent").await;
    let done = call(&router, Method::GET, &format!("/handlers/{id}"), "").await;
    assert_eq!(
        (
            done.status,
            done.json()["result"]["value"]["result"].clone()
        ),
        (StatusCode::OK, json!("Ada"))
    );
    let late =
        send(r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Bo"}}}"#).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let cancel = call(&router, Method::POST, &format!("/handlers/{id}/cancel"), "").await;
    assert_eq!(cancel.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_stream_resumes_after_a_sequence_number_with_no_gap_and_no_repeat() {
    let router = router(server()).await;
    let id = start(&router, "hitl", "{}").await;
    let (status, mut first) = open_stream(
        &router,
        &format!("/events/{id}?after_sequence=-1&include_internal=true"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let asked = read_until(&mut first, "InputRequiredEvent").await;
    let seen = ids(&asked);
    assert!(asked.contains("StepStarted") && asked.contains("InternalDispatchEvent"));
    drop(first);
    let sent = call(
        &router,
        Method::POST,
        &format!("/events/{id}"),
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#,
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK);
    // Last-Event-ID comes first, as a browser's EventSource sends it.
    let last = seen.last().unwrap().to_string();
    let (_, mut rest) = open_stream(
        &router,
        &format!("/events/{id}?after_sequence=-1&include_internal=true"),
        &[("last-event-id", &last)],
    )
    .await;
    let tail = read_until(&mut rest, "StopEvent").await;
    let all: Vec<u64> = seen.iter().copied().chain(ids(&tail)).collect();
    assert_eq!(
        all,
        (0..all.len() as u64).collect::<Vec<_>>(),
        "{asked}{tail}"
    );
    // Without internal events the ids skip theirs; NDJSON has none.
    let (_, mut public) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    let text = read_until(&mut public, "StopEvent").await;
    assert!(!text.contains("StepStarted"));
    let ndjson = call(
        &router,
        Method::GET,
        &format!("/events/{id}?sse=false&after_sequence=-1"),
        "",
    )
    .await;
    assert_eq!(ndjson.headers["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = String::from_utf8_lossy(&ndjson.body)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|line| line["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["InputRequiredEvent", "StopEvent"]
    );
    // Once it has ended and all is read: 204, as for the default `now`.
    let read_all = call(
        &router,
        Method::GET,
        &format!("/events/{id}?after_sequence={}", all.last().unwrap()),
        "",
    )
    .await;
    assert_eq!(read_all.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&router, Method::GET, &format!("/events/{id}"), "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn an_idle_stream_gets_heartbeats() {
    let router = router(server().heartbeat(Duration::from_millis(20))).await;
    let id = start(&router, "hitl", "{}").await;
    let (_, mut stream) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    let text = read_until(&mut stream, ": heartbeat\n\n").await;
    assert!(text.starts_with("id: "), "{text}");
}

#[tokio::test]
async fn a_snapshot_of_a_run_resumes_as_a_new_run_from_a_run_requests_context() {
    let router = router(server()).await;
    let id = start(&router, "hitl", "{}").await;
    let (_, mut stream) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    read_until(&mut stream, "InputRequiredEvent").await;
    let snapshot = call(
        &router,
        Method::GET,
        &format!("/handlers/{id}/snapshot"),
        "",
    )
    .await;
    assert_eq!(snapshot.status, StatusCode::OK);
    let body = json!({ "context": snapshot.json() }).to_string();
    // The run it is of goes on: it keeps its id, so it must end first.
    let twice = call(&router, Method::POST, "/workflows/hitl/run-nowait", &body).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.detail());
    call(&router, Method::POST, &format!("/handlers/{id}/cancel"), "").await;
    let resumed = start(&router, "hitl", &body).await;
    assert_eq!(resumed, id);
    call(
        &router,
        Method::POST,
        &format!("/events/{resumed}"),
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#,
    )
    .await;
    let (_, mut stream) = open_stream(
        &router,
        &format!("/events/{resumed}?after_sequence=-1"),
        &[],
    )
    .await;
    read_until(&mut stream, "StopEvent").await;
    let record = call(&router, Method::GET, &format!("/handlers/{id}"), "")
        .await
        .json();
    assert_eq!(record["result"]["value"]["result"], "Ada");
    let wrong = call(
        &router,
        Method::POST,
        "/workflows/two_step/run-nowait",
        &body,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_snapshot = call(
        &router,
        Method::POST,
        "/workflows/hitl/run-nowait",
        r#"{"context": {"a": 1}}"#,
    )
    .await;
    assert_eq!(not_snapshot.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_handler_id_given_again_goes_on_from_its_finished_runs_state() {
    let router = router(server()).await;
    let body = r#"{"start_event": {"item": "tea", "count": 2}, "handler_id": "mine"}"#;
    let first = call(&router, Method::POST, "/workflows/shop/run", body)
        .await
        .json();
    assert_eq!(
        (
            first["handler_id"].as_str(),
            first["result"]["value"]["result"].as_str()
        ),
        (Some("mine"), Some("tea x2 (run 1)"))
    );
    let second = call(&router, Method::POST, "/workflows/shop/run", body)
        .await
        .json();
    assert_eq!(second["result"]["value"]["result"], "tea x2 (run 2)");
    assert_ne!(first["run_id"], second["run_id"]);
    let listed = call(&router, Method::GET, "/handlers?workflow_name=shop", "")
        .await
        .json();
    assert_eq!(listed["handlers"].as_array().unwrap().len(), 1);
    // A handler id whose run goes on cannot start another.
    call(
        &router,
        Method::POST,
        "/workflows/hitl/run-nowait",
        r#"{"handler_id": "asking"}"#,
    )
    .await;
    let again = call(
        &router,
        Method::POST,
        "/workflows/hitl/run-nowait",
        r#"{"handler_id": "asking"}"#,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_bearer_token_guards_every_route_but_health_and_the_page() {
    let router = router(server().bearer_token("s3cret")).await;
    assert_eq!(
        call(&router, Method::GET, "/health", "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&router, Method::GET, "/", "").await.status,
        StatusCode::OK
    );
    let refused = call(&router, Method::GET, "/workflows", "").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers["www-authenticate"], "Bearer");
    let wrong = call_with(
        &router,
        Method::GET,
        "/workflows",
        "",
        &[("authorization", "Bearer s3cre")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let right = call_with(
        &router,
        Method::GET,
        "/workflows",
        "",
        &[("authorization", "Bearer s3cret")],
    )
    .await;
    assert_eq!(
        right.json(),
        json!({"workflows": ["hitl", "shop", "two_step"]})
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let router = router(server().body_limit(64)).await;
    let big = format!(
        r#"{{"start_event": {{"x": 1, "pad": "{}"}}}}"#,
        "a".repeat(100)
    );
    let refused = call(&router, Method::POST, "/workflows/two_step/run", &big).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.detail().contains("length limit exceeded"),
        "{}",
        refused.detail()
    );
    // What the framework answers itself comes as `{"detail"}` too.
    let not_utf8 = call(&router, Method::GET, "/handlers/%FF", "").await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST);
    assert!(not_utf8.detail().contains("UTF-8"), "{}", not_utf8.detail());
    let no_route = call(&router, Method::GET, "/nowhere", "").await;
    assert_eq!(
        (no_route.status, no_route.detail().as_str()),
        (StatusCode::NOT_FOUND, "Not Found")
    );
}

#[tokio::test]
async fn a_server_without_a_store_forgets_the_oldest_finished_runs_past_its_limit() {
    let router = router(server().keep_finished(2)).await;
    let mut ids = Vec::new();
    for x in 0..3 {
        let record = call(
            &router,
            Method::POST,
            "/workflows/two_step/run",
            &format!(r#"{{"start_event": {{"x": {x}}}}}"#),
        )
        .await
        .json();
        ids.push(record["handler_id"].as_str().unwrap().to_owned());
    }
    let status = |id: &str| {
        let router = router.clone();
        let uri = format!("/handlers/{id}");
        async move { call(&router, Method::GET, &uri, "").await.status }
    };
    assert_eq!(status(&ids[0]).await, StatusCode::NOT_FOUND);
    assert_eq!(status(&ids[2]).await, StatusCode::OK);
}

#[tokio::test]
async fn the_graph_and_schemas_come_from_the_step_table() {
    let router = router(server()).await;
    let schema = call(&router, Method::GET, "/workflows/shop/schema", "")
        .await
        .json();
    assert_eq!(
        schema["start"]["properties"]["count"],
        json!({"type": "integer", "minimum": 0})
    );
    let graph = call(&router, Method::GET, "/workflows/hitl/representation", "")
        .await
        .json();
    let edges = graph["graph"]["edges"].as_array().unwrap();
    assert!(
        edges.contains(&json!({"source": "HumanResponseEvent", "target": "ask", "label": "waits"}))
    );
    let drawing = call(&router, Method::GET, "/workflows/hitl/graph", "")
        .await
        .json();
    assert_eq!(drawing["steps"]["ask"], "s0");
    assert!(
        drawing["svg"]
            .as_str()
            .unwrap()
            .contains(r#"data-node="s0""#)
    );
    let about = call(&router, Method::GET, "/workflows/hitl", "")
        .await
        .json();
    assert_eq!(about["fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(
        (about["input_events"].clone(), about["durable"].clone()),
        (json!(["HumanResponseEvent"]), json!(false))
    );
    let document = call(&router, Method::GET, "/openapi.json", "").await.json();
    assert!(document["openapi"].is_string());
}

#[tokio::test]
async fn durable_runs_park_and_are_answered_and_cancelled_through_the_store() {
    let router = router(server().store(MemoryStore::new())).await;
    let answered = start(&router, "hitl", "{}").await;
    let cancelled = start(&router, "hitl", "{}").await;
    for id in [&answered, &cancelled] {
        let (_, mut stream) =
            open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
        read_until(&mut stream, "InputRequiredEvent").await;
    }
    let sent = call(
        &router,
        Method::POST,
        &format!("/events/{answered}"),
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#,
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK);
    let cancel = call(
        &router,
        Method::POST,
        &format!("/handlers/{cancelled}/cancel"),
        "",
    )
    .await;
    assert_eq!(cancel.json(), json!({"status": "cancelled"}));
    let (_, mut stream) = open_stream(
        &router,
        &format!("/events/{answered}?after_sequence=-1"),
        &[],
    )
    .await;
    read_until(&mut stream, "StopEvent").await;
    let record = call(&router, Method::GET, &format!("/handlers/{cancelled}"), "").await;
    assert_eq!(
        (record.status, record.json()["status"].clone()),
        (StatusCode::INTERNAL_SERVER_ERROR, json!("cancelled"))
    );
    let (_, mut stream) = open_stream(
        &router,
        &format!("/events/{cancelled}?after_sequence=-1"),
        &[],
    )
    .await;
    read_until(&mut stream, "WorkflowCancelledEvent").await;
    let listed = call(
        &router,
        Method::GET,
        "/handlers?workflow_name=hitl&status=completed",
        "",
    )
    .await
    .json();
    let ids: Vec<&str> = listed["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["handler_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [answered.as_str()]);
    let late = call(
        &router,
        Method::POST,
        &format!("/events/{answered}"),
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Bo"}}}"#,
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_run_whose_client_went_away_goes_on_to_its_end() {
    let router = router(server()).await;
    // The client of a waiting run gives up: its request's future is dropped.
    let waited = tokio::time::timeout(
        Duration::from_millis(50),
        call(&router, Method::POST, "/workflows/hitl/run", "{}"),
    )
    .await;
    assert!(waited.is_err(), "the run waits for its answer");
    let listed = call(&router, Method::GET, "/handlers?workflow_name=hitl", "")
        .await
        .json();
    let id = listed["handlers"][0]["handler_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(listed["handlers"][0]["status"], "running");
    let sent = call(
        &router,
        Method::POST,
        &format!("/events/{id}"),
        r#"{"event": {"type": "HumanResponseEvent", "value": {"response": "Ada"}}}"#,
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.detail());
    let (_, mut stream) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    read_until(&mut stream, "StopEvent").await;
    let record = call(&router, Method::GET, &format!("/handlers/{id}"), "")
        .await
        .json();
    assert_eq!(record["status"], "completed");
}

#[tokio::test]
async fn a_server_with_a_store_works_its_runs_a_parked_runs_timeout_ends_it() {
    let runner = Hitl.runner().timeout(Duration::from_millis(200));
    let server = Server::new()
        .runner("hitl", runner)
        .store(MemoryStore::new());
    let router = router(server).await;
    let id = start(&router, "hitl", "{}").await;
    // It parks at its question; only the server's worker, which takes up
    // the runs whose timers fall due, can end it.
    let (_, mut stream) =
        open_stream(&router, &format!("/events/{id}?after_sequence=-1"), &[]).await;
    read_until(&mut stream, "WorkflowTimedOutEvent").await;
    let record = call(&router, Method::GET, &format!("/handlers/{id}"), "")
        .await
        .json();
    assert_eq!(record["status"], "failed");
    assert!(
        record["error"].as_str().unwrap().contains("timed out"),
        "{record}"
    );
}
