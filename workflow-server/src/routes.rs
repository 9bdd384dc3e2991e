//! The routes: LlamaIndex's workflow server protocol, and beside it what
//! runs here can do more (a run's snapshot, a workflow's drawing, the
//! OpenAPI document).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use workflow_store::{RunFilter, RunMeta};

use crate::app::{App, Found, Runs};
use crate::error::ApiError;
use crate::feed::{self, Shape};
use crate::query::{After, Params};
use crate::served::Served;
use crate::tracked::{Control, Tracked};
use crate::wire::{HandlerRecord, RunRequest, SentEvent, Status, timestamp};

type Shared = State<Arc<App>>;
type Answer = Result<Response, ApiError>;

/// Every route, on `app`.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(crate::page::index))
        .route("/health", get(health))
        .route("/openapi.json", get(crate::openapi::document))
        .route("/workflows", get(workflows))
        .route("/workflows/{name}", get(about))
        .route("/workflows/{name}/run", post(run))
        .route("/workflows/{name}/run-nowait", post(run_nowait))
        .route("/workflows/{name}/schema", get(schema))
        .route("/workflows/{name}/events", get(event_schemas))
        .route("/workflows/{name}/representation", get(representation))
        .route("/workflows/{name}/graph", get(drawing))
        .route("/handlers", get(handlers))
        .route("/handlers/{id}", get(handler))
        .route("/results/{id}", get(result))
        .route("/handlers/{id}/cancel", post(cancel))
        .route("/handlers/{id}/snapshot", get(snapshot))
        .route("/events/{id}", get(events).post(send))
        .with_state(app)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "healthy" }))
}

async fn workflows(State(app): Shared) -> Json<Value> {
    let names: Vec<&str> = app.workflows.keys().map(|name| &**name).collect();
    Json(json!({ "workflows": names }))
}

async fn schema(State(app): Shared, Path(name): Path<String>) -> Answer {
    Ok(Json(&app.workflow(&name)?.description().schema).into_response())
}

async fn event_schemas(State(app): Shared, Path(name): Path<String>) -> Answer {
    Ok(Json(&app.workflow(&name)?.description().events).into_response())
}

async fn representation(State(app): Shared, Path(name): Path<String>) -> Answer {
    Ok(Json(&app.workflow(&name)?.description().representation).into_response())
}

async fn about(State(app): Shared, Path(name): Path<String>) -> Answer {
    let served = app.workflow(&name)?;
    let mut about = served.description().about.clone();
    about["name"] = Value::from(&**served.name());
    about["durable"] = Value::from(matches!(app.runs, Runs::Stored(_)));
    Ok(Json(about).into_response())
}

async fn drawing(State(app): Shared, Path(name): Path<String>) -> Answer {
    Ok(Json(&app.workflow(&name)?.description().drawing).into_response())
}

/// `POST /workflows/{name}/run`: runs to the end, and answers with the
/// handler record (500 if the run failed).
async fn run(State(app): Shared, Path(name): Path<String>, body: Bytes) -> Answer {
    let served = app.workflow(&name)?.clone();
    let request = RunRequest::parse(&body)?;
    let record = match &app.runs {
        Runs::Memory(table) => {
            let (tracked, driver) = start_tracked(&served, request, table)?;
            // Driven here, waiting for its end with no task between.
            driver.await;
            tracked.record()
        }
        Runs::Stored(store) => {
            let run = served.start_stored(request).await?;
            served.stored_end(run).await?;
            stored_record(&app, store, run).await?
        }
    };
    Ok(record_response(record, false))
}

/// `POST /workflows/{name}/run-nowait`: starts a run, and answers with its
/// handler record at once.
async fn run_nowait(State(app): Shared, Path(name): Path<String>, body: Bytes) -> Answer {
    let served = app.workflow(&name)?.clone();
    let request = RunRequest::parse(&body)?;
    let record = match &app.runs {
        Runs::Memory(table) => {
            let (tracked, driver) = start_tracked(&served, request, table)?;
            driver.spawn();
            tracked.record()
        }
        Runs::Stored(store) => {
            let run = served.start_stored(request).await?;
            stored_record(&app, store, run).await?
        }
    };
    Ok(Json(record).into_response())
}

/// Starts a run in memory, under the handler id the request chose: a new
/// one, or that of a finished run whose state the new run goes on from.
fn start_tracked(
    served: &Arc<dyn Served>,
    request: RunRequest,
    table: &Arc<crate::tracked::Table>,
) -> Result<(Arc<Tracked>, crate::tracked::Driver), ApiError> {
    let continues = request.handler_id.as_deref().and_then(|id| table.get(id));
    served.start_tracked(request, continues.as_deref(), table)
}

/// `GET /handlers?status=...&workflow_name=...`: the runs, oldest first.
async fn handlers(State(app): Shared, Query(params): Query<Vec<(String, String)>>) -> Answer {
    let mut statuses = Vec::new();
    let mut names = Vec::new();
    for (key, value) in params.into_iter().filter(|(_, value)| !value.is_empty()) {
        match key.as_str() {
            "status" => statuses.push(Status::parse(&value)?),
            "workflow_name" => names.push(value),
            _ => {}
        }
    }
    let admits = |record: &HandlerRecord| {
        (statuses.is_empty() || statuses.contains(&record.status))
            && (names.is_empty() || names.contains(&record.workflow_name))
    };
    let records: Vec<HandlerRecord> = match &app.runs {
        Runs::Memory(table) => table
            .all()
            .iter()
            .map(|run| run.record())
            .filter(admits)
            .collect(),
        Runs::Stored(store) => {
            let mut records = Vec::new();
            for meta in list_all(&**store).await? {
                if let Ok(served) = app.served_for(&meta.workflow.name) {
                    let record = meta_record(&*served, &meta, None);
                    if admits(&record) {
                        records.push(record);
                    }
                }
            }
            records
        }
    };
    Ok(Json(json!({ "handlers": records })).into_response())
}

/// Every run of the store, oldest first, a page at a time.
async fn list_all(store: &dyn workflow_store::Store) -> Result<Vec<RunMeta>, ApiError> {
    const PAGE: usize = 1_000;
    let mut all: Vec<RunMeta> = Vec::new();
    loop {
        let mut filter = RunFilter::new().limit(PAGE);
        if let Some(last) = all.last() {
            filter = filter.after(last.id);
        }
        let page = store
            .list(&filter)
            .await
            .map_err(|error| ApiError::internal(error.to_string()))?;
        let full = page.len() == PAGE;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// `GET /handlers/{id}`: the record; 202 while the run goes on, 200 once
/// it completed, 500 if it failed or was cancelled.
async fn handler(State(app): Shared, Path(id): Path<String>) -> Answer {
    let record = found_record(&app.find(&id).await?);
    Ok(record_response(record, true))
}

/// `GET /results/{id}`: as `GET /handlers/{id}`, with the stop event's
/// result bare.
async fn result(State(app): Shared, Path(id): Path<String>) -> Answer {
    let record = found_record(&app.find(&id).await?).with_bare_result();
    Ok(record_response(record, true))
}

/// The record of the run `found`.
fn found_record(found: &Found) -> HandlerRecord {
    match found {
        Found::Tracked(tracked) => tracked.record(),
        Found::Stored(loaded, served) => meta_record(&**served, &loaded.meta, None),
    }
}

/// The record of the stored run `meta`, served as `served`.
fn meta_record(served: &dyn Served, meta: &RunMeta, handler_id: Option<&str>) -> HandlerRecord {
    let (status, result, error) = served.stored_status(meta);
    let id = meta.id.to_string();
    HandlerRecord {
        handler_id: handler_id.map_or_else(|| id.clone(), str::to_owned),
        workflow_name: served.name().to_string(),
        run_id: id,
        error,
        result,
        result_unreadable: false,
        status,
        started_at: timestamp(meta.created_at),
        updated_at: timestamp(meta.updated_at),
        completed_at: status.is_done().then(|| timestamp(meta.updated_at)),
    }
}

/// The record of the stored run `run`.
async fn stored_record(
    app: &App,
    store: &Arc<dyn workflow_store::Store>,
    run: workflow_model::RunId,
) -> Result<HandlerRecord, ApiError> {
    let loaded = store
        .load(run)
        .await
        .map_err(|error| ApiError::internal(error.to_string()))?
        .ok_or_else(ApiError::no_handler)?;
    let served = app.served_for(&loaded.meta.workflow.name)?;
    Ok(meta_record(&*served, &loaded.meta, None))
}

/// A record as the protocol answers it: 202 while running if `pending`
/// says so, 500 for a run that failed or was cancelled.
fn record_response(record: HandlerRecord, pending: bool) -> Response {
    let status = match record.status {
        Status::Running if pending => StatusCode::ACCEPTED,
        Status::Running | Status::Completed => StatusCode::OK,
        Status::Failed | Status::Cancelled => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(record)).into_response()
}

/// `POST /handlers/{id}/cancel?purge=...`: cancels the run, and with
/// `purge` forgets it.
async fn cancel(
    State(app): Shared,
    Path(id): Path<String>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> Answer {
    let purge = Params(params).flag("purge", false)?;
    match app.find(&id).await? {
        Found::Tracked(tracked) => {
            if tracked.status().is_done() {
                return Err(ended(&tracked.record().status));
            }
            // A driver that has gone has ended the run.
            let _ = tracked.control.send(Control::Cancel).await;
            tracked.ended().await;
            if purge {
                if let Runs::Memory(table) = &app.runs {
                    table.remove(&id);
                }
                return Ok(Json(json!({ "status": "deleted" })).into_response());
            }
        }
        Found::Stored(loaded, served) => {
            if purge {
                return Err(ApiError::bad_request(
                    "a server with a store keeps its runs: cancel without `purge`",
                ));
            }
            if !served.cancel_stored(loaded.meta.id).await? {
                let record = meta_record(&*served, &loaded.meta, None);
                return Err(ended(&record.status));
            }
            served.stored_end(loaded.meta.id).await?;
        }
    }
    Ok(Json(json!({ "status": "cancelled" })).into_response())
}

/// The 409 of a run that has ended.
fn ended(status: &Status) -> ApiError {
    let status = serde_json::to_value(status).unwrap_or(Value::Null);
    ApiError::finished(format!(
        "Workflow already completed: the run is {}",
        status.as_str().unwrap_or("done")
    ))
}

/// `GET /handlers/{id}/snapshot`: the run written down, to resume with a
/// run request's `context`: a live run's, taken as it goes; a stored run's
/// last record.
async fn snapshot(State(app): Shared, Path(id): Path<String>) -> Answer {
    match app.find(&id).await? {
        Found::Tracked(tracked) => {
            let (reply, answer) = oneshot::channel();
            let asked = tracked.control.send(Control::Snapshot(reply)).await;
            let taken = match asked {
                Ok(()) => answer.await.ok(),
                Err(_) => None,
            };
            match taken {
                Some(Ok(snapshot)) => Ok(Json(snapshot).into_response()),
                Some(Err(workflow_model::SnapshotError::RunEnded)) | None => {
                    Err(ended(&tracked.record().status))
                }
                Some(Err(error)) => Err(ApiError::internal(error.to_string())),
            }
        }
        Found::Stored(loaded, _) => {
            let Some(snapshot) = &loaded.snapshot else {
                return Err(ApiError::internal(
                    "the run has no snapshot in the store yet",
                ));
            };
            let json: Value = serde_json::from_slice(&snapshot.bytes).map_err(|error| {
                ApiError::internal(format!("the stored snapshot is not JSON: {error}"))
            })?;
            Ok(Json(json).into_response())
        }
    }
}

/// `POST /events/{id}`: sends an input event into the run.
async fn send(State(app): Shared, Path(id): Path<String>, body: Bytes) -> Answer {
    let sent = SentEvent::parse(&body)?;
    match app.find(&id).await? {
        Found::Tracked(tracked) => {
            let (reply, answer) = oneshot::channel();
            let gone = || ended(&tracked.record().status);
            if tracked.status().is_done() {
                return Err(gone());
            }
            tracked
                .control
                .send(Control::Send(sent, reply))
                .await
                .map_err(|_| gone())?;
            answer.await.map_err(|_| gone())??;
        }
        Found::Stored(loaded, served) => {
            if loaded.meta.status.kind() == workflow_store::StatusKind::Finished {
                return Err(ended(&meta_record(&*served, &loaded.meta, None).status));
            }
            served.send_stored(loaded.meta.id, sent).await?;
        }
    }
    Ok(Json(json!({ "status": "sent" })).into_response())
}

/// `GET /events/{id}`: the run's events, as server-sent events or NDJSON,
/// from where the reader asks; 204 once the run has ended and the reader
/// has read all.
async fn events(
    State(app): Shared,
    Path(id): Path<String>,
    Query(params): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    let params = Params(params);
    let sse = params.flag("sse", true)?;
    let shape = Shape {
        sse,
        include_internal: params.flag("include_internal", false)?,
        heartbeat: app.heartbeat,
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .filter(|_| sse);
    let after = params.after(last_event_id)?;
    match app.find(&id).await? {
        Found::Tracked(tracked) => {
            let from = match after {
                After::Start => 0,
                After::Seq(seq) => tracked.log.index_after(seq),
                After::Now => tracked.log.len(),
            };
            if tracked.status().is_done() && from >= tracked.log.len() {
                return Ok(no_content());
            }
            Ok(feed::respond(
                log_frames(tracked, from, shape.include_internal),
                shape,
            ))
        }
        Found::Stored(loaded, served) => {
            // The store numbers events from 1, the protocol from 0.
            let last = loaded.stream_next.checked_sub(2);
            let after = match after {
                After::Start => None,
                After::Seq(seq) => Some(seq),
                After::Now => last,
            };
            let read_all = match (after, last) {
                (_, None) => true,
                (Some(after), Some(last)) => after >= last,
                (None, Some(_)) => false,
            };
            if loaded.meta.status.kind() == workflow_store::StatusKind::Finished && read_all {
                return Ok(no_content());
            }
            Ok(feed::respond(
                served.stored_frames(loaded.meta.id, after),
                shape,
            ))
        }
    }
}

/// The 204 of a stream with nothing left to read.
fn no_content() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::CONTENT_TYPE, "application/json")],
    )
        .into_response()
}

/// The frames of `tracked`'s log from index `from` (its observer events
/// only if `internal`), in batches, waiting for more until the run ends.
fn log_frames(
    tracked: Arc<Tracked>,
    from: usize,
    internal: bool,
) -> impl futures_util::Stream<Item = Vec<crate::log::Frame>> + Send + 'static {
    let progress = tracked.log.watch();
    futures_util::stream::unfold(
        (tracked, from, progress),
        move |(tracked, mut from, mut progress)| async move {
            loop {
                let seen = *progress.borrow_and_update();
                let (frames, next) = tracked.log.read(from, internal);
                from = next;
                if !frames.is_empty() {
                    return Some((frames, (tracked, from, progress)));
                }
                if seen.ended || progress.changed().await.is_err() {
                    return None;
                }
            }
        },
    )
}
