//! Reading a durable run from its store, whichever process runs it and
//! whether it is parked: [`Runner::stored_events`] and
//! [`Runner::stored_outcome`].

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use workflow_model::snapshot::{EventRecord, stream_event_named};
use workflow_model::{AnyEvent, RunId, WorkflowError};
use workflow_store::{Change, Notice, RunMeta, RunStatus, Store};

use super::commit::store_failed;
use super::live::Live;
use super::outcome::Outcome;
use crate::run::Runner;
use crate::workflow::Workflow;

/// How many stream records a read takes from the store at once.
const READ_BATCH: usize = 256;

/// How long a reader waits for a notice before it reads the store again:
/// notices are a hint of this process's store, and another process may
/// write to the same one.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// An event of a durable run's stream, as the store numbers it.
#[derive(Debug)]
pub struct StoredEvent {
    /// Its sequence number in the store: 1 for the first event, and one
    /// more for each next one, across every process that ran the run.
    pub seq: u64,
    /// The event, decoded as the workflow's type of its name.
    pub event: AnyEvent,
}

/// How a durable run ended, as its store keeps it.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoredOutcome {
    /// It stopped with this stop event.
    Stopped(AnyEvent),
    /// It was cancelled.
    Cancelled,
    /// It failed: the error, with its causes, as the process that ran it
    /// wrote it.
    Failed(String),
}

impl<W: Workflow> Runner<W> {
    /// The stream of the durable run `run` as its store keeps it, from the
    /// event after the one numbered `after` (0 for all): each event once,
    /// in order, with no gap across the processes that ran it, and ending
    /// after the run's last event. It waits for more while the run goes
    /// on, wherever it runs; a reader that reconnects passes the last
    /// sequence number it saw.
    ///
    /// An event is in the store once the record of the run's progress that
    /// holds it is written, so this stream may lag the handler's
    /// [`stream_events`](crate::WorkflowHandler::stream_events) by a
    /// commit.
    ///
    /// # Errors
    ///
    /// Each item is [`WorkflowError::Store`] if the runner is not durable,
    /// the store fails or has no such run, or a record does not decode as
    /// an event of this workflow; the stream ends after an error.
    pub fn stored_events(
        &self,
        run: RunId,
        after: u64,
    ) -> impl Stream<Item = Result<StoredEvent, WorkflowError>> + Send + 'static {
        let reader = self.durability().map(|durability| Reader {
            store: durability.store.clone(),
            run,
            after,
            notices: durability.store.notices(),
            read: VecDeque::new(),
            ended: false,
        });
        futures_util::stream::unfold(Some(reader), |reader| async move {
            let Some(mut reader) = reader? else {
                return Some((Err(not_durable()), None));
            };
            match reader.next::<W>().await {
                Ok(Some(event)) => Some((Ok(event), Some(Some(reader)))),
                Ok(None) => None,
                Err(error) => Some((Err(error), None)),
            }
        })
    }

    /// How the durable run `run` ended, once it has: waits while it goes
    /// on, wherever it runs, or while it is parked.
    ///
    /// # Errors
    ///
    /// [`WorkflowError::Store`] if the runner is not durable, the store
    /// fails or has no such run, or its record does not decode.
    pub async fn stored_outcome(&self, run: RunId) -> Result<StoredOutcome, WorkflowError> {
        let durability = self.durability().ok_or_else(not_durable)?;
        let store = &durability.store;
        let mut notices = store.notices();
        loop {
            let Some(loaded) = store.load(run).await.map_err(store_failed)? else {
                until_created(&**store, &mut notices, run).await?;
                continue;
            };
            if let Some(outcome) = Self::outcome_of(&loaded.meta) {
                return outcome;
            }
            until_notice(&mut notices, run, Change::Status).await;
        }
    }

    /// Waits until the durable run `run`, started by this process, is in
    /// the store: a run is created there before its first step runs, by
    /// its own task, so a caller that hands its id to another reader of
    /// the store (a client of a server) waits for it first.
    ///
    /// # Errors
    ///
    /// [`WorkflowError::Store`] if the runner is not durable, the store
    /// fails, or the run is neither in the store nor starting here.
    pub async fn until_stored(&self, run: RunId) -> Result<(), WorkflowError> {
        let durability = self.durability().ok_or_else(not_durable)?;
        let store = &durability.store;
        let mut notices = store.notices();
        while store.load(run).await.map_err(store_failed)?.is_none() {
            until_created(&**store, &mut notices, run).await?;
        }
        Ok(())
    }

    /// How the run `meta` describes ended, if it has: for a caller that
    /// lists runs from the store ([`Store::list`]) and shows their ends.
    ///
    /// # Errors
    ///
    /// [`WorkflowError::Store`] if the outcome does not decode as one of
    /// this workflow's.
    pub fn outcome_of(meta: &RunMeta) -> Option<Result<StoredOutcome, WorkflowError>> {
        let RunStatus::Finished { outcome } = &meta.status else {
            return None;
        };
        let run = meta.id;
        let decoded = serde_json::from_slice::<Outcome>(outcome)
            .map_err(|error| undecodable(run, "its outcome", &error.to_string()))
            .and_then(|outcome| {
                Ok(match outcome {
                    Outcome::Stopped(stop) => StoredOutcome::Stopped(decode::<W>(run, stop)?),
                    Outcome::Cancelled => StoredOutcome::Cancelled,
                    Outcome::Failed(message) => StoredOutcome::Failed(message),
                })
            });
        Some(decoded)
    }
}

/// The state of [`Runner::stored_events`].
struct Reader {
    store: std::sync::Arc<dyn Store>,
    run: RunId,
    /// The sequence number of the last event read.
    after: u64,
    /// Subscribed before the first read, so that no commit between a read
    /// and the wait that follows it goes unnoticed.
    notices: broadcast::Receiver<Notice>,
    read: VecDeque<StoredEvent>,
    /// Whether the run had ended when the last read found nothing more.
    ended: bool,
}

impl Reader {
    async fn next<W: Workflow>(&mut self) -> Result<Option<StoredEvent>, WorkflowError> {
        loop {
            if let Some(event) = self.read.pop_front() {
                self.after = event.seq;
                return Ok(Some(event));
            }
            if self.ended {
                return Ok(None);
            }
            // Whether it had ended is read before its records: a run's last
            // events are written with its end, so none can follow.
            let ended = match self.store.load(self.run).await.map_err(store_failed)? {
                Some(loaded) => matches!(loaded.meta.status, RunStatus::Finished { .. }),
                None => {
                    until_created(&*self.store, &mut self.notices, self.run).await?;
                    continue;
                }
            };
            let records = self
                .store
                .read_stream(self.run, self.after, READ_BATCH)
                .await
                .map_err(store_failed)?;
            let full = records.len() == READ_BATCH;
            for record in records {
                let event: EventRecord =
                    serde_json::from_slice(&record.bytes).map_err(|error| {
                        undecodable(
                            self.run,
                            &format!("stream event {}", record.seq),
                            &error.to_string(),
                        )
                    })?;
                self.read.push_back(StoredEvent {
                    seq: record.seq,
                    event: decode::<W>(self.run, event)?,
                });
            }
            if full || !self.read.is_empty() {
                continue;
            }
            if ended {
                self.ended = true;
                continue;
            }
            until_notice(&mut self.notices, self.run, Change::Stream).await;
        }
    }
}

/// Waits a while for `run`, which its store does not hold, to be created
/// there: a run started in this process is written to its store with its
/// first record. Fails for a run that is not live here.
pub(crate) async fn until_created(
    store: &dyn Store,
    notices: &mut broadcast::Receiver<Notice>,
    run: RunId,
) -> Result<(), WorkflowError> {
    if !Live::is_live(run) {
        return Err(unknown(store, run));
    }
    until_notice(notices, run, Change::Created).await;
    Ok(())
}

/// Waits for a notice of `what` (or of the run's status) for `run`, a
/// lag, or [`POLL_EVERY`], whichever comes first.
async fn until_notice(notices: &mut broadcast::Receiver<Notice>, run: RunId, what: Change) {
    let noticed = async {
        loop {
            match notices.recv().await {
                Ok(notice)
                    if notice.run == run
                        && (notice.what == what || notice.what == Change::Status) =>
                {
                    return;
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_) | RecvError::Closed) => return,
            }
        }
    };
    let _ = tokio::time::timeout(POLL_EVERY, noticed).await;
}

/// `record` as the workflow's event of its name, or the runtime's.
fn decode<W: Workflow>(run: RunId, record: EventRecord) -> Result<AnyEvent, WorkflowError> {
    let info = stream_event_named::<W>(&record.name).ok_or_else(|| {
        undecodable(
            run,
            &format!("event `{}`", record.name),
            "the workflow has no event of that name",
        )
    })?;
    (info.decode)(record.value)
        .map_err(|error| undecodable(run, &format!("event `{}`", record.name), &error.to_string()))
}

fn not_durable() -> WorkflowError {
    WorkflowError::Store {
        source: anyhow::anyhow!(
            "the runner is not durable: give it a store with `Runner::durable`"
        ),
    }
}

fn unknown(store: &dyn Store, run: RunId) -> WorkflowError {
    store_failed(workflow_store::StoreError::NotFound {
        store: store.describe(),
        run,
    })
}

fn undecodable(run: RunId, what: &str, error: &str) -> WorkflowError {
    WorkflowError::Store {
        source: anyhow::anyhow!("{what} of run {run} in the store does not decode: {error}"),
    }
}
