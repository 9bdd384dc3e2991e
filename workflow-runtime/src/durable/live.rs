//! [`Live`]: the durable runs this process is running, so that it never
//! runs one twice.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use workflow_model::RunId;

/// A durable run this process is running: it is marked live until the
/// `Live` is dropped, with the run's task.
#[derive(Debug)]
pub(crate) struct Live(RunId);

static LIVE: Mutex<Option<HashSet<RunId>>> = Mutex::new(None);

fn live() -> MutexGuard<'static, Option<HashSet<RunId>>> {
    // The set is consistent whatever panicked while it was held.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    /// Marks `run` live; `None` if it is live already.
    pub(crate) fn mark(run: RunId) -> Option<Self> {
        // Made only once marked: a `Live` dropped here, under the lock its
        // `Drop` takes, would deadlock.
        let marked = live().get_or_insert_default().insert(run);
        marked.then(|| Self(run))
    }

    /// Whether `run` is live in this process.
    pub(crate) fn is_live(run: RunId) -> bool {
        live().as_ref().is_some_and(|runs| runs.contains(&run))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(runs) = live().as_mut() {
            runs.remove(&self.0);
        }
    }
}
