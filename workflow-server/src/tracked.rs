//! Runs kept in this server's memory (a server without a store): each
//! run's record and event log, the channel to its driver, and the table of
//! them, which keeps a bounded number of finished runs.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::SystemTime;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use workflow_model::{RunId, RunSnapshot, SendError, SnapshotError};

use crate::describe::Description;
use crate::log::Log;
use crate::wire::{HandlerRecord, SentEvent, Status, timestamp};

/// What a request asks of a run's driver, which holds its handler.
pub(crate) enum Control {
    /// Send an input event.
    Send(SentEvent, oneshot::Sender<Result<(), SendError>>),
    /// Cancel the run.
    Cancel,
    /// Write the run down.
    Snapshot(oneshot::Sender<Result<RunSnapshot, SnapshotError>>),
}

/// How many requests may wait for a run's driver: requests wait for room.
pub(crate) const CONTROL_QUEUE: usize = 16;

/// A run in this server's memory.
pub(crate) struct Tracked {
    /// The handler id clients know it by: its run's id, or the one the
    /// client chose, which a run that continues a finished one keeps.
    pub(crate) handler_id: Arc<str>,
    /// The run's id.
    pub(crate) id: RunId,
    /// The name the workflow is served under.
    pub(crate) workflow: Arc<str>,
    pub(crate) started_at: SystemTime,
    pub(crate) log: Log,
    ended: Mutex<Ending>,
    pub(crate) control: mpsc::Sender<Control>,
    /// The run's `State`, which a run that continues this one starts from.
    pub(crate) state: Box<dyn Any + Send + Sync>,
}

/// What changes as a run goes on.
#[derive(Debug, Clone)]
struct Ending {
    status: Status,
    updated_at: SystemTime,
    completed_at: Option<SystemTime>,
    result: Option<Value>,
    error: Option<String>,
}

impl Tracked {
    /// A run that has just started.
    pub(crate) fn new(
        handler_id: Arc<str>,
        id: RunId,
        workflow: Arc<str>,
        control: mpsc::Sender<Control>,
        state: Box<dyn Any + Send + Sync>,
        description: Arc<Description>,
    ) -> Self {
        let now = SystemTime::now();
        Self {
            handler_id,
            id,
            workflow,
            started_at: now,
            log: Log::new(description),
            ended: Mutex::new(Ending {
                status: Status::Running,
                updated_at: now,
                completed_at: None,
                result: None,
                error: None,
            }),
            control,
            state,
        }
    }

    /// Notes that the run did something.
    pub(crate) fn touch(&self) {
        self.lock().updated_at = SystemTime::now();
    }

    /// Notes how the run ended, then ends its log.
    pub(crate) fn finish(&self, status: Status, result: Option<Value>, error: Option<String>) {
        {
            let mut ending = self.lock();
            let now = SystemTime::now();
            *ending = Ending {
                status,
                updated_at: now,
                completed_at: Some(now),
                result,
                error,
            };
        }
        self.log.end();
    }

    /// The run's status.
    pub(crate) fn status(&self) -> Status {
        self.lock().status
    }

    /// Waits until the run has ended.
    pub(crate) async fn ended(&self) {
        let mut progress = self.log.watch();
        // The sender lives as long as the log, which `self` holds.
        let _ = progress.wait_for(|progress| progress.ended).await;
    }

    /// The run's handler record.
    pub(crate) fn record(&self) -> HandlerRecord {
        let ending = self.lock().clone();
        HandlerRecord {
            handler_id: self.handler_id.to_string(),
            workflow_name: self.workflow.to_string(),
            run_id: self.id.to_string(),
            error: ending.error,
            result: ending.result,
            result_unreadable: false,
            status: ending.status,
            started_at: timestamp(self.started_at),
            updated_at: timestamp(ending.updated_at),
            completed_at: ending.completed_at.map(timestamp),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ending> {
        self.ended.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The runs in this server's memory, by handler id: every unfinished one,
/// and the latest finished ones up to a limit, the oldest forgotten first.
pub(crate) struct Table {
    runs: Mutex<Runs>,
    keep_finished: usize,
}

#[derive(Default)]
struct Runs {
    by_id: HashMap<Arc<str>, Arc<Tracked>>,
    /// Finished runs, oldest first, by handler and run id: a handler
    /// that a new run continues is not forgotten for its old run.
    finished: VecDeque<(Arc<str>, RunId)>,
}

impl Table {
    /// A table that keeps up to `keep_finished` finished runs.
    pub(crate) fn new(keep_finished: usize) -> Self {
        Self {
            runs: Mutex::new(Runs::default()),
            keep_finished,
        }
    }

    /// Adds a run that has just started, in place of the finished run of
    /// its handler id, if it continues one.
    pub(crate) fn insert(&self, run: Arc<Tracked>) {
        self.lock().by_id.insert(run.handler_id.clone(), run);
    }

    /// The run of handler `id`, if the table has it.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Tracked>> {
        self.lock().by_id.get(id).cloned()
    }

    /// Removes the run of handler `id`.
    pub(crate) fn remove(&self, id: &str) -> Option<Arc<Tracked>> {
        let mut runs = self.lock();
        runs.finished.retain(|(handler, _)| &**handler != id);
        runs.by_id.remove(id)
    }

    /// Notes that the run `run` finished, forgetting the oldest finished
    /// run past the limit.
    pub(crate) fn finished(&self, run: &Tracked) {
        let mut runs = self.lock();
        runs.finished.push_back((run.handler_id.clone(), run.id));
        while runs.finished.len() > self.keep_finished {
            let Some((handler, id)) = runs.finished.pop_front() else {
                break;
            };
            // Unless a new run has taken the handler id since.
            if runs.by_id.get(&handler).is_some_and(|held| held.id == id) {
                runs.by_id.remove(&handler);
            }
        }
    }

    /// Every run, oldest first.
    pub(crate) fn all(&self) -> Vec<Arc<Tracked>> {
        let mut all: Vec<Arc<Tracked>> = self.lock().by_id.values().cloned().collect();
        all.sort_by_key(|run| run.started_at);
        all
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What drives a run kept in memory until it ends (see
/// [`Served::start_tracked`](crate::served::Served::start_tracked)): the
/// request that started it may drive it itself, to wait for its end with
/// no task between; dropped before then (its client went away), it goes
/// on in a task of its own, as a run that was not waited for does.
pub(crate) struct Driver(Option<Pin<Box<dyn Future<Output = ()> + Send>>>);

impl Driver {
    pub(crate) fn new(drive: impl Future<Output = ()> + Send + 'static) -> Self {
        Self(Some(Box::pin(drive)))
    }

    /// Goes on in a task of its own.
    pub(crate) fn spawn(mut self) {
        if let Some(drive) = self.0.take() {
            tokio::spawn(drive);
        }
    }
}

impl Future for Driver {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(drive) = self.0.as_mut() else {
            return Poll::Ready(());
        };
        let polled = drive.as_mut().poll(cx);
        if polled.is_ready() {
            self.0 = None;
        }
        polled
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // A runtime shutting down ends its runs anyway.
        if let (Some(drive), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(drive);
        }
    }
}
