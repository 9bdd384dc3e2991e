//! The streaming example's LLM against a server of OpenAI's streaming
//! protocol on loopback: each chunk of text becomes one progress event, in
//! order, as it arrives, before the stop event. A refused request, a failing
//! server, a malformed chunk and a connection dropped mid-stream each fail
//! the run with an error naming `step_two`, and the event stream still ends.

#[allow(dead_code)]
#[path = "../streaming/main.rs"]
mod streaming;

mod openai_server;

use std::collections::HashMap;
use std::time::Duration;

use openai_server::{Ending, Reply, Server};
use streaming::llm::{DEFAULT_MODEL, Llm};
use streaming::workflow::{MyWorkflow, ProgressEvent};
use typed_workflows::prelude::*;
use typed_workflows::{EventStream, WorkflowError};

/// Bounds each wait on the stream: it only turns a hang into a failure; no
/// test waits for it to pass.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// The example's workflow, streaming from `server`.
fn workflow_at(server: &Server) -> MyWorkflow {
    MyWorkflow {
        llm: Box::new(Llm::openai(
            Some(&server.base_url),
            "test-key",
            "test-model",
        )),
    }
}

fn texts(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

/// The next event of the stream, or `None` once it has ended.
async fn next(events: &mut EventStream) -> Option<AnyEvent> {
    tokio::time::timeout(HANG_GUARD, events.next())
        .await
        .expect("the stream neither went on nor ended")
}

/// The message of the next event, which must be a progress event.
async fn next_progress(events: &mut EventStream) -> String {
    let event = next(events).await.expect("a progress event");
    let progress = event.downcast_ref::<ProgressEvent>();
    progress
        .unwrap_or_else(|| panic!("expected progress, got {event:?}"))
        .msg
        .clone()
}

/// Runs `workflow` to its end: the messages of its progress events, the
/// names of all its events, and its outcome.
async fn run(
    workflow: MyWorkflow,
) -> (
    Vec<String>,
    Vec<&'static str>,
    Result<String, WorkflowError>,
) {
    let mut handler = workflow.runner().timeout(HANG_GUARD).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let (mut progress, mut names) = (Vec::new(), Vec::new());
    while let Some(event) = next(&mut events).await {
        names.push(event.name());
        if let Some(event) = event.downcast_ref::<ProgressEvent>() {
            progress.push(event.msg.clone());
        }
    }
    (progress, names, handler.await)
}

#[tokio::test]
async fn each_chunk_becomes_one_progress_event_in_order_as_it_arrives() {
    let chunks = texts(&["Call", " me", " Ishmael."]);
    let server = Server::paced(Reply::Stream {
        texts: chunks.clone(),
        ending: Ending::Done,
    })
    .await;
    let mut handler = workflow_at(&server)
        .runner()
        .timeout(HANG_GUARD)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();

    assert_eq!(next_progress(&mut events).await, "Step one is happening");
    for chunk in &chunks {
        // The server sends the next chunk only now, so each event must have
        // come through as its chunk arrived.
        server.pace.add_permits(1);
        assert_eq!(&next_progress(&mut events).await, chunk);
    }
    assert_eq!(next_progress(&mut events).await, "Step three is happening");
    let stop = next(&mut events).await.expect("the stop event");
    assert!(stop.is::<StopEvent<String>>(), "{stop:?}");
    assert!(next(&mut events).await.is_none());
    assert_eq!(handler.await.unwrap(), "Workflow complete.");

    let [request] = &server.requests()[..] else {
        panic!("expected one request, got {:?}", server.requests());
    };
    assert!(
        request.line.starts_with("POST /v1/chat/completions "),
        "{}",
        request.line
    );
    assert_eq!(request.authorization.as_deref(), Some("Bearer test-key"));
    assert_eq!(request.body["model"], "test-model");
    assert_eq!(request.body["stream"], true);
    assert_eq!(request.body["messages"][0]["role"], "user");
    let prompt = request.body["messages"][0]["content"].as_str().unwrap();
    assert!(prompt.contains("Moby Dick"), "{prompt}");
}

#[tokio::test]
async fn the_environment_names_the_key_the_server_and_the_model() {
    let server = Server::start(Reply::Stream {
        texts: texts(&["Hi"]),
        ending: Ending::Done,
    })
    .await;
    let vars = HashMap::from([
        ("OPENAI_API_KEY", "from-env"),
        ("OPENAI_BASE_URL", server.base_url.as_str()),
        ("OPENAI_MODEL", ""),
    ]);
    let llm = Llm::from_vars(|name| vars.get(name).map(|value| (*value).to_owned()));
    let (progress, _, outcome) = run(MyWorkflow { llm: Box::new(llm) }).await;
    assert_eq!(outcome.unwrap(), "Workflow complete.");
    assert!(progress.contains(&"Hi".to_owned()), "{progress:?}");
    let request = &server.requests()[0];
    assert_eq!(request.authorization.as_deref(), Some("Bearer from-env"));
    assert_eq!(request.body["model"], DEFAULT_MODEL);
}

#[test]
fn without_a_key_the_stand_in_is_used() {
    assert!(matches!(Llm::from_vars(|_| None), Llm::Offline));
    let empty = Llm::from_vars(|name| (name == "OPENAI_API_KEY").then(String::new));
    assert!(matches!(empty, Llm::Offline));
}

/// Runs the example against a server answering with `reply`, and checks
/// that the run failed in `step_two` with an error whose causes include
/// `cause`, after step one's progress and `before` from the model, and that
/// the stream ended without a stop event.
async fn assert_fails_in_step_two(reply: Reply, before: &[&str], cause: &str) {
    let server = Server::start(reply).await;
    let (progress, names, outcome) = run(workflow_at(&server)).await;
    let mut expected = texts(&["Step one is happening"]);
    expected.extend(texts(before));
    assert_eq!(progress, expected);
    assert!(!names.contains(&"StopEvent"), "{names:?}");
    let error = outcome.expect_err("the run fails");
    assert!(error.to_string().contains("step `step_two`"), "{error}");
    let WorkflowError::StepFailed {
        step,
        event,
        source,
        ..
    } = &error
    else {
        panic!("expected a step failure, got {error:?}");
    };
    assert_eq!((*step, *event), ("step_two", "FirstEvent"));
    let causes = format!("{source:#}");
    assert!(causes.contains(cause), "`{cause}` is not in: {causes}");
    assert!(
        causes.contains("test-model at http://127.0.0.1:"),
        "{causes}"
    );
}

#[tokio::test]
async fn a_refused_key_fails_step_two() {
    let body = r#"{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#;
    let reply = Reply::Status(401, body.to_owned());
    assert_fails_in_step_two(
        reply,
        &[],
        "401 Unauthorized invalid_request_error: Incorrect API key provided",
    )
    .await;
}

#[tokio::test]
async fn a_server_error_fails_step_two() {
    let reply = Reply::Status(500, "upstream exploded".to_owned());
    assert_fails_in_step_two(reply, &[], "500 Internal Server Error upstream exploded").await;
}

#[tokio::test]
async fn a_malformed_chunk_fails_step_two_after_the_chunks_before_it() {
    let reply = Reply::Stream {
        texts: texts(&["Call", " me"]),
        ending: Ending::Malformed,
    };
    assert_fails_in_step_two(
        reply,
        &["Call", " me"],
        "failed to deserialize api response",
    )
    .await;
}

#[tokio::test]
async fn a_connection_dropped_mid_stream_fails_step_two_after_the_chunks_before_it() {
    let reply = Reply::Stream {
        texts: texts(&["Call", " me"]),
        ending: Ending::Dropped,
    };
    assert_fails_in_step_two(reply, &["Call", " me"], "broke off").await;
}

#[tokio::test]
async fn a_stream_that_ends_before_the_model_finished_fails_step_two() {
    let reply = Reply::Stream {
        texts: texts(&["Call"]),
        ending: Ending::Unfinished,
    };
    assert_fails_in_step_two(reply, &["Call"], "ended before the model finished").await;
}
