//! [`Journal`]: what the steps of a durable run share with the part of the
//! run that writes its records, to ask for one and to wait until it is in
//! the store.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;
use workflow_store::Lease;

use super::Durability;

/// The journal of one durable run, held by its context.
pub(crate) struct Journal {
    pub(crate) durability: Arc<Durability>,
    /// How many records steps have asked for: each effect asks for one.
    asked: AtomicU64,
    /// How many of the records asked for are in the store, which the steps
    /// that asked watch.
    written: watch::Sender<u64>,
    /// Where the run's records stand in the store, as of its last commit:
    /// what a cancelled run, whose task is gone, writes its end with.
    last: Mutex<Option<Written>>,
}

/// Where a run's records stand in its store: its lease, and the journal's
/// next sequence number.
#[derive(Clone, Debug)]
pub(crate) struct Written {
    pub(crate) lease: Lease,
    pub(crate) journal_next: u64,
}

impl Journal {
    pub(crate) fn new(durability: Arc<Durability>) -> Self {
        Self {
            durability,
            asked: AtomicU64::new(0),
            written: watch::Sender::new(0),
            last: Mutex::new(None),
        }
    }

    /// Notes where the run's records stand after a commit.
    pub(crate) fn note_written(&self, written: Written) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(written);
    }

    /// Where the run's records stand, if it has any in the store.
    pub(crate) fn last_written(&self) -> Option<Written> {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Asks for a record of the run as it is now; returns the number to
    /// wait for with [`written`](Self::written).
    pub(crate) fn ask(&self) -> u64 {
        self.asked.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// How many records have been asked for so far.
    pub(crate) fn asked(&self) -> u64 {
        self.asked.load(Ordering::Acquire)
    }

    /// Notes that the records asked for through `asked` are in the store.
    pub(crate) fn wrote_through(&self, asked: u64) {
        self.written.send_if_modified(|written| {
            let later = asked > *written;
            *written = (*written).max(asked);
            later
        });
    }

    /// Waits until the record numbered `asked` is in the store. A run
    /// whose store fails ends, and the step waiting here with it.
    pub(crate) async fn written(&self, asked: u64) {
        let mut written = self.written.subscribe();
        // Fails only once the sender is gone, and this journal holds it.
        let _ = written.wait_for(|&written| written >= asked).await;
    }
}
