//! The end of a durable run that its caller cancelled: written by a task of
//! its own, since the run's task is gone by then.

use std::sync::Arc;

use workflow_model::WorkflowError;
use workflow_store::{Batch, RunStatus, Store, StoreError};

use super::Journal;
use super::commit::{store_sequence, stream_record};
use super::journal::Written;
use super::outcome::Outcome;
use crate::stream::Publisher;

impl Journal {
    /// Writes, in a task of its own, that the run was cancelled, with the
    /// events its stream published since its last commit (its last, the
    /// event that says it was cancelled, among them). Nothing is written
    /// for a run not in the store yet, or outside a runtime.
    pub(crate) fn record_cancelled(&self, stream: &Publisher) {
        let Some(written) = self.last_written() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (first, events) = stream.take_tapped();
        // A record that will not serialize is left out; the end is not.
        let records: Vec<Vec<u8>> = events
            .iter()
            .filter_map(|event| stream_record(event).ok())
            .collect();
        let store = self.durability.store.clone();
        runtime.spawn(async move {
            if let Err(error) = write_cancelled(&store, written, first, records).await {
                tracing::warn!(
                    error = %WorkflowError::Store { source: error.into() }.with_causes(),
                    "a cancelled run could not record its end: it will be recovered"
                );
            }
        });
    }
}

/// Commits the end of a cancelled run, and its last stream `records`, the
/// first numbered `first` in the run. A commit the run's task had begun may
/// have landed all the same, when the task was dropped: then the end goes
/// after what the store holds, without the records.
async fn write_cancelled(
    store: &Arc<dyn Store>,
    written: Written,
    first: u64,
    records: Vec<Vec<u8>>,
) -> Result<(), StoreError> {
    let end = || RunStatus::Finished {
        outcome: Outcome::Cancelled.to_bytes(),
    };
    let mut batch = Batch::new(written.journal_next).status(end());
    for (sequence, record) in (first..).zip(records) {
        batch = batch.stream(store_sequence(sequence), record);
    }
    match store.commit(&written.lease, batch).await {
        Err(StoreError::Conflict { .. }) => {
            let loaded = store.load(written.lease.run).await?;
            let journal_next = loaded.map_or(written.journal_next, |loaded| loaded.journal_next);
            let batch = Batch::new(journal_next).status(end());
            store.commit(&written.lease, batch).await.map(drop)
        }
        committed => committed.map(drop),
    }
}
