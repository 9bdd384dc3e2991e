//! What a run's caller asks of the run itself, beside the events it sends:
//! a snapshot, or a snapshot and the end of the run. The run answers
//! between two polls of its steps, where it has everything in hand.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

use futures_util::task::AtomicWaker;
use tokio::sync::oneshot;

use workflow_model::{RunSnapshot, SnapshotError};

/// A request to the run, with where its answer goes.
pub(crate) enum Request {
    /// Write the run down and go on.
    Snapshot(oneshot::Sender<Result<RunSnapshot, SnapshotError>>),
    /// Write the run down and end it.
    Suspend(oneshot::Sender<Result<RunSnapshot, SnapshotError>>),
}

/// The requests waiting for a run, and the run's task to wake for them.
#[derive(Default)]
pub(crate) struct Control {
    asked: AtomicBool,
    run: AtomicWaker,
    requests: Mutex<Vec<Request>>,
}

impl Control {
    /// Remembers the run's task, to wake when a request comes.
    #[inline]
    pub(crate) fn register(&self, run: &Waker) {
        self.run.register(run);
    }

    /// Whether a request waits; no lock.
    #[inline]
    pub(crate) fn asked(&self) -> bool {
        self.asked.load(Ordering::Acquire)
    }

    /// Queues `request`; [`wake`](Self::wake) tells the run.
    pub(crate) fn ask(&self, request: Request) {
        self.lock().push(request);
        self.asked.store(true, Ordering::Release);
    }

    /// Wakes the run, to answer its requests.
    pub(crate) fn wake(&self) {
        self.run.wake();
    }

    /// The requests waiting, oldest first.
    pub(crate) fn take(&self) -> Vec<Request> {
        self.asked.store(false, Ordering::Release);
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Request>> {
        // Nothing panics while the lock is held.
        self.requests
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}
