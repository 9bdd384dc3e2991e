//! One workflow as the server serves it, whatever its type: how a run of
//! it starts from JSON, how its events become frames, and what its durable
//! runs say from the store. [`Served`] is the object-safe face the routes
//! see; [`Entry`] implements it for each workflow type.

use std::any::TypeId;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use workflow_model::{AnyEvent, Event, RunId, RunSnapshot, StartEvent, WorkflowError};
use workflow_runtime::durable::StoredOutcome;
use workflow_runtime::{Runner, State, Workflow, WorkflowHandler};
use workflow_store::RunMeta;

use crate::describe::Description;
use crate::error::ApiError;
use crate::log::{Frame, unserializable};
use crate::tracked::{CONTROL_QUEUE, Control, Driver, Table, Tracked};
use crate::wire::{Envelope, RunRequest, SentEvent, Status};

/// A boxed future, as an object-safe trait returns one.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many stored events a reader takes into one chunk of its response.
const STORED_BATCH: usize = 256;

/// A workflow the server serves, its type erased.
pub(crate) trait Served: Send + Sync + 'static {
    /// The name it is served under.
    fn name(&self) -> &Arc<str>;
    /// The workflow type's name, by which its store knows its runs.
    fn type_name(&self) -> &'static str;
    /// What it is.
    fn description(&self) -> &Description;

    /// Starts a run kept in memory, in `table`, from `request`: under the
    /// handler id the request chose, if it chose one, going on from the
    /// state of `continues`, the finished run of that id, if there is one.
    /// The run goes on as its [`Driver`] is polled, or spawned.
    fn start_tracked(
        &self,
        request: RunRequest,
        continues: Option<&Tracked>,
        table: &Arc<Table>,
    ) -> Result<(Arc<Tracked>, Driver), ApiError>;

    /// Starts a durable run from `request`, and returns its id once it is
    /// in the store.
    fn start_stored(&self, request: RunRequest) -> BoxFuture<'_, Result<RunId, ApiError>>;
    /// Sends `sent` to the durable run `run` through the store.
    fn send_stored(&self, run: RunId, sent: SentEvent) -> BoxFuture<'_, Result<(), ApiError>>;
    /// The durable run `run`'s events after the one numbered `after` (in
    /// the run's numbering, from 0; `None` for all), in batches.
    fn stored_frames(&self, run: RunId, after: Option<u64>) -> BoxStream<'static, Vec<Frame>>;
    /// Waits for the durable run `run` to end.
    fn stored_end(&self, run: RunId) -> BoxFuture<'_, Result<(), ApiError>>;
    /// How the durable run `meta` describes stands: its status, its stop
    /// event's envelope and its error.
    fn stored_status(&self, meta: &RunMeta) -> (Status, Option<Value>, Option<String>);
    /// Cancels the durable run `run`; `false` if it had ended.
    fn cancel_stored(&self, run: RunId) -> BoxFuture<'_, Result<bool, ApiError>>;
    /// Goes on with the durable runs a crash or a restart left running;
    /// how many.
    fn recover(&self) -> BoxFuture<'_, Result<usize, ApiError>>;
    /// Works as one of the workers of the store until the process ends
    /// (see [`Runner::work`]).
    fn work(&self) -> BoxFuture<'static, ()>;
}

/// A workflow of type `W`, served under a name.
pub(crate) struct Entry<W: Workflow> {
    name: Arc<str>,
    runner: Runner<W>,
    description: Arc<Description>,
}

impl<W: Workflow> Entry<W> {
    pub(crate) fn new(name: &str, runner: Runner<W>) -> Self {
        Self {
            name: name.into(),
            runner,
            description: Arc::new(Description::of::<W>()),
        }
    }

    /// The handler of a new run: resumed from `snapshot`, or started from
    /// the values of `start` with `state`.
    fn launch(
        &self,
        start: Map<String, Value>,
        snapshot: Option<RunSnapshot>,
        state: State<W::State>,
    ) -> Result<WorkflowHandler<W>, ApiError> {
        match snapshot {
            Some(snapshot) => self.runner.resume(snapshot).map_err(|error| {
                ApiError::unprocessable(format!(
                    "the snapshot in `context` cannot go on as a run of `{}`: {error}",
                    self.name
                ))
            }),
            None => Ok(self.runner.run_with_state(decode_start::<W>(start)?, state)),
        }
    }
}

/// The run snapshot a run request's `context` holds, if it holds one.
fn snapshot_in(context: Option<Value>) -> Result<Option<RunSnapshot>, ApiError> {
    context
        .map(|context| {
            serde_json::from_value(context).map_err(|error| {
                ApiError::bad_request(format!(
                    "`context` is not a run snapshot (as `GET /handlers/{{id}}/snapshot` gives one): {error}"
                ))
            })
        })
        .transpose()
}

impl<W: Workflow> Served for Entry<W> {
    fn name(&self) -> &Arc<str> {
        &self.name
    }

    fn type_name(&self) -> &'static str {
        <W as workflow_model::Blueprint>::NAME
    }

    fn description(&self) -> &Description {
        &self.description
    }

    fn start_tracked(
        &self,
        request: RunRequest,
        continues: Option<&Tracked>,
        table: &Arc<Table>,
    ) -> Result<(Arc<Tracked>, Driver), ApiError> {
        let state = match continues {
            Some(finished) => finished
                .state
                .downcast_ref::<State<W::State>>()
                .ok_or_else(|| {
                    ApiError::unprocessable(format!(
                        "handler {} is a run of `{}`, not of `{}`: it cannot go on as one",
                        finished.handler_id, finished.workflow, self.name
                    ))
                })?
                .clone(),
            None => State::default(),
        };
        let snapshot = snapshot_in(request.context)?;
        // A resumed run keeps its id, which a run of it here may still hold.
        let chosen = request.handler_id.or_else(|| {
            snapshot
                .as_ref()
                .map(|snapshot| snapshot.run_id.to_string())
        });
        if let Some(live) = chosen.as_deref().and_then(|id| table.get(id))
            && !live.status().is_done()
        {
            return Err(ApiError::finished(format!(
                "Handler '{}' is already running: cancel it or let it end first",
                live.handler_id
            )));
        }
        let handler = self.launch(request.start, snapshot, state.clone())?;
        let (control, requests) = mpsc::channel(CONTROL_QUEUE);
        let handler_id = chosen.unwrap_or_else(|| handler.run_id().to_string());
        let tracked = Arc::new(Tracked::new(
            handler_id.into(),
            handler.run_id(),
            self.name.clone(),
            control,
            Box::new(state),
            self.description.clone(),
        ));
        table.insert(tracked.clone());
        let driver = Driver::new(drive(handler, tracked.clone(), requests, table.clone()));
        Ok((tracked, driver))
    }

    fn start_stored(&self, request: RunRequest) -> BoxFuture<'_, Result<RunId, ApiError>> {
        Box::pin(async move {
            if let Some(id) = &request.handler_id {
                return Err(ApiError::bad_request(format!(
                    "`handler_id` {id}: over a store, a handler's id is its run's, chosen by the server; leave it out"
                )));
            }
            let snapshot = snapshot_in(request.context)?;
            let handler = self.launch(request.start, snapshot, State::default())?;
            let run = handler.run_id();
            // Let go: the run goes on, and parks while it waits for input.
            drop(handler);
            self.runner
                .until_stored(run)
                .await
                .map_err(|error| ApiError::internal(error.with_causes()))?;
            Ok(run)
        })
    }

    fn send_stored(&self, run: RunId, sent: SentEvent) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            self.runner
                .send_input_json(run, &sent.name, sent.value, sent.step.as_deref())
                .await?;
            Ok(())
        })
    }

    fn stored_frames(&self, run: RunId, after: Option<u64>) -> BoxStream<'static, Vec<Frame>> {
        let description = self.description.clone();
        // The store numbers a run's events from 1.
        let after = after.map_or(0, |seq| seq + 1);
        self.runner
            .stored_events(run, after)
            .scan((), move |(), read| {
                std::future::ready(match read {
                    Ok(stored) => Some(Frame::of(&stored.event, stored.seq - 1, &description)),
                    Err(error) => {
                        tracing::warn!(run = %run, error = %error.with_causes(), "a stored stream ended early");
                        None
                    }
                })
            })
            .ready_chunks(STORED_BATCH)
            .boxed()
    }

    fn stored_end(&self, run: RunId) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            self.runner
                .stored_outcome(run)
                .await
                .map(drop)
                .map_err(|error| ApiError::internal(error.with_causes()))
        })
    }

    fn stored_status(&self, meta: &RunMeta) -> (Status, Option<Value>, Option<String>) {
        match Runner::<W>::outcome_of(meta) {
            None => (Status::Running, None, None),
            Some(Ok(StoredOutcome::Stopped(stop))) => (
                Status::Completed,
                Some(envelope_value(&stop, &self.description)),
                None,
            ),
            Some(Ok(StoredOutcome::Cancelled)) => (Status::Cancelled, None, None),
            Some(Ok(StoredOutcome::Failed(error))) => (Status::Failed, None, Some(error)),
            Some(Ok(_)) => (
                Status::Failed,
                None,
                Some("the run ended in a way this server does not know".into()),
            ),
            Some(Err(error)) => (Status::Failed, None, Some(error.with_causes())),
        }
    }

    fn cancel_stored(&self, run: RunId) -> BoxFuture<'_, Result<bool, ApiError>> {
        Box::pin(async move { Ok(self.runner.cancel_stored(run).await?) })
    }

    fn recover(&self) -> BoxFuture<'_, Result<usize, ApiError>> {
        Box::pin(async move {
            let recovered = self.runner.recover().await?;
            for (run, why) in &recovered.left {
                tracing::warn!(workflow = %self.name, run = %run, error = %why, "a stored run was left as it is");
            }
            // Let go: each goes on, and parks while it waits for input.
            Ok(recovered.resumed.len())
        })
    }

    fn work(&self) -> BoxFuture<'static, ()> {
        let runner = self.runner.clone();
        let name = self.name.clone();
        Box::pin(async move {
            let forever = std::future::pending::<()>();
            if let Err(error) = runner.work(forever, std::time::Duration::ZERO).await {
                tracing::error!(workflow = %name, %error, "a worker of the store stopped");
            }
        })
    }
}

/// The start event of `W` made of the values a request gave: the built-in
/// [`StartEvent`] takes them as they are, a typed start event as its
/// fields.
fn decode_start<W: Workflow>(values: Map<String, Value>) -> Result<W::Start, ApiError> {
    let json = match TypeId::of::<W::Start>() == TypeId::of::<StartEvent>() {
        true => json!({ "values": values }),
        false => Value::Object(values),
    };
    serde_json::from_value(json).map_err(|error| {
        ApiError::bad_request(format!(
            "Invalid start_event payload: it is not a `{}`: {error}",
            <W::Start as Event>::NAME
        ))
    })
}

/// Drives a run kept in memory: puts its events in its log as they come,
/// answers what requests ask of it, and notes how it ended.
async fn drive<W: Workflow>(
    mut handler: WorkflowHandler<W>,
    tracked: Arc<Tracked>,
    mut requests: mpsc::Receiver<Control>,
    table: Arc<Table>,
) {
    let mut events = match handler.stream_events() {
        Ok(events) => events,
        Err(taken) => unreachable!("a new handler's stream is there to take: {taken}"),
    };
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            biased;
            Some(request) = requests.recv() => answer(&handler, request).await,
            next = events.next() => {
                let Some(event) = next else { break };
                let mut event = Some(event);
                // Every event ready now, into the log at once.
                while let Some(ready) = event.take() {
                    batch.push((events.last_sequence().unwrap_or_default(), ready));
                    event = events.next().now_or_never().flatten();
                }
                tracked.log.extend(batch.drain(..));
                tracked.touch();
            }
        }
    }
    // What is asked from now on finds the run ended.
    requests.close();
    while let Ok(request) = requests.try_recv() {
        answer(&handler, request).await;
    }
    let (status, result, error) = match handler.await {
        // The stop event is the stream's last.
        Ok(_) => (Status::Completed, tracked.log.last_envelope(), None),
        Err(WorkflowError::Cancelled) => (Status::Cancelled, None, None),
        Err(error) => (Status::Failed, None, Some(error.with_causes())),
    };
    tracked.finish(status, result, error);
    table.finished(&tracked);
}

/// Does what `request` asks of the run `handler` drives.
async fn answer<W: Workflow>(handler: &WorkflowHandler<W>, request: Control) {
    match request {
        Control::Send(sent, reply) => {
            let sent = handler.send_json(&sent.name, sent.value, sent.step.as_deref());
            let _gone = reply.send(sent);
        }
        Control::Cancel => handler.cancel(),
        Control::Snapshot(reply) => {
            let _gone = reply.send(handler.snapshot().await);
        }
    }
}

/// The envelope of `event` as a JSON value, for a handler record.
fn envelope_value(event: &AnyEvent, description: &Description) -> Value {
    Envelope::of(event, description.qualified_name(event.name()), false)
        .and_then(serde_json::to_value)
        .unwrap_or_else(|error| {
            serde_json::from_slice(&unserializable(event, &error)).unwrap_or(Value::Null)
        })
}
