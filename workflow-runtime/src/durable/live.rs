//! [`Live`]: the durable runs this process is running, so that it never
//! runs one twice, and so that input sent through the store reaches a run
//! that is running here.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use std::time::Duration;

use tokio::sync::Notify;
use workflow_model::RunId;

use crate::stream::Inlet;

/// A durable run this process is running: it is marked live until the
/// `Live` is dropped, with the run's task.
#[derive(Debug)]
pub(crate) struct Live(RunId);

/// The live runs, each with the way into its inbox once its channel is
/// made.
static LIVE: Mutex<Option<HashMap<RunId, Option<Inlet>>>> = Mutex::new(None);

/// Told whenever a run's inbox opens or it stops being live, for a sender
/// waiting to hand it input or take it up.
static CHANGED: Notify = Notify::const_new();

fn live() -> MutexGuard<'static, Option<HashMap<RunId, Option<Inlet>>>> {
    // The map is consistent whatever panicked while it was held.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a run stands in this process, for input sent to it.
pub(crate) enum Here {
    /// Running here: its inbox, if its channel is made yet.
    Live(Option<Inlet>),
    /// Not running here.
    Absent,
}

impl Live {
    /// Marks `run` live; `None` if it is live already.
    pub(crate) fn mark(run: RunId) -> Option<Self> {
        // Made only once marked: a `Live` dropped here, under the lock its
        // `Drop` takes, would deadlock.
        let marked = match live().get_or_insert_default().entry(run) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(vacant) => {
                vacant.insert(None);
                true
            }
        };
        marked.then(|| Self(run))
    }

    /// Marks `run` live once it stops being live here, waiting at most
    /// `grace`; `None` if it is still live then.
    pub(crate) async fn mark_once_ended(run: RunId, grace: Duration) -> Option<Self> {
        let marked = async {
            loop {
                if let Some(live) = Self::mark(run) {
                    return live;
                }
                Self::until_changed(|| Self::is_live(run)).await;
            }
        };
        tokio::time::timeout(grace, marked).await.ok()
    }

    /// Gives the live run `run` the way into its inbox.
    pub(crate) fn connect(run: RunId, inlet: Inlet) {
        if let Some(entry) = live().as_mut().and_then(|runs| runs.get_mut(&run)) {
            *entry = Some(inlet);
        }
        CHANGED.notify_waiters();
    }

    /// Whether `run` is live in this process.
    pub(crate) fn is_live(run: RunId) -> bool {
        live().as_ref().is_some_and(|runs| runs.contains_key(&run))
    }

    /// Where `run` stands in this process.
    pub(crate) fn here(run: RunId) -> Here {
        match live().as_ref().and_then(|runs| runs.get(&run)) {
            Some(inlet) => Here::Live(inlet.clone()),
            None => Here::Absent,
        }
    }

    /// Waits until some live run's inbox opens or it stops being live, if
    /// `unchanged` still holds once the wait is registered (so that no
    /// change between the two is missed).
    pub(crate) async fn until_changed(unchanged: impl FnOnce() -> bool) {
        let changed = CHANGED.notified();
        let mut changed = std::pin::pin!(changed);
        changed.as_mut().enable();
        if unchanged() {
            changed.await;
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // Taken out under the lock and dropped after it: an inlet may hold
        // the last reference to the run's channel.
        let inlet = live().as_mut().and_then(|runs| {
            let inlet = runs.remove(&self.0);
            // Given back as runs park or end, so that a million runs that
            // were live once leave nothing behind.
            if runs.capacity() > 64 && runs.len() * 4 < runs.capacity() {
                runs.shrink_to_fit();
            }
            inlet
        });
        drop(inlet);
        CHANGED.notify_waiters();
    }
}
