//! Input that another process records for a run live in this one: the
//! store's notice of it (LISTEN/NOTIFY on Postgres) makes this process
//! hand the run what its store holds, as if it had been sent here.

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;
use workflow_store::{Change, Notice, Store, WorkflowKey};

use super::Durability;
use super::input::inbox_inputs;
use super::live::{Here, Live};
use crate::workflow::Workflow;

impl Durability {
    /// Starts, once per durable runner and its clones, the task that hands
    /// the runs of `W` live in this process the input their store records
    /// for them from elsewhere. Outside a runtime, nothing is started.
    pub(crate) fn watch_inputs<W: Workflow>(&self) {
        self.watching.get_or_init(|| {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let notices = self.store.notices();
                runtime.spawn(deliver_inputs::<W>(
                    self.store.clone(),
                    self.key.clone(),
                    notices,
                ));
            }
        });
    }
}

/// For each notice of input for a run of `key` live here, hands the run
/// the store's unconsumed inputs; those it holds already it skips. Ends
/// when the store is gone.
async fn deliver_inputs<W: Workflow>(
    store: Arc<dyn Store>,
    key: WorkflowKey,
    mut notices: tokio::sync::broadcast::Receiver<Notice>,
) {
    loop {
        let run = match notices.recv().await {
            Ok(Notice {
                run,
                what: Change::Input,
            }) => run,
            // A notice is a hint: a reader that fell behind misses some, and
            // those runs take their input when they next load or are sent
            // some here.
            Ok(_) | Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let Here::Live(Some(inlet)) = Live::here(run) else {
            continue;
        };
        let Ok(Some(loaded)) = store.load(run).await else {
            continue;
        };
        // Only a run of this workflow, in this build, takes its events.
        if loaded.meta.workflow != key {
            continue;
        }
        match inbox_inputs::<W>(&loaded.inputs) {
            Ok(inputs) => {
                inlet.send_stored(inputs);
            }
            Err(error) => {
                tracing::warn!(%run, %error, "input recorded for a live run does not read as its events");
            }
        }
    }
}
