//! A cap on how many runs of a runner go on at once
//! ([`Runner::num_concurrent_runs`](crate::Runner::num_concurrent_runs)):
//! runs beyond it wait in a queue, first come first served, in the order
//! they were started.
//!
//! A run takes its [`Ticket`] as it is started, on the caller's thread, so
//! the queue's order is the order of the calls; its task then waits for its
//! [`Permit`], which it holds until it ends. An ending run hands its permit
//! to the first queued run still waiting, so a run dropped while queued
//! only leaves the queue: it never held a permit, and frees none.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// The cap of one runner and its clones.
#[derive(Clone)]
pub(crate) struct Admission {
    queue: Arc<Mutex<Queue>>,
}

struct Queue {
    limit: usize,
    /// Runs holding a permit, or one in the channel to a queued run.
    admitted: usize,
    /// Runs waiting for a permit, in the order they were started. Bounded
    /// by the runs the caller started: each holds its receiver.
    waiting: VecDeque<oneshot::Sender<Permit>>,
}

/// A run's place: admitted at once, or queued.
pub(crate) enum Ticket {
    Admitted(Permit),
    Queued(oneshot::Receiver<Permit>),
}

/// Held by a run while it goes on; dropping it admits the next.
pub(crate) struct Permit {
    /// `None` once handed back unused, so that it releases nothing.
    queue: Option<Arc<Mutex<Queue>>>,
}

impl Admission {
    /// A cap of `limit` runs at once.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            queue: Arc::new(Mutex::new(Queue {
                limit,
                admitted: 0,
                waiting: VecDeque::new(),
            })),
        }
    }

    /// The ticket of a run started now.
    pub(crate) fn ticket(&self) -> Ticket {
        let mut queue = lock(&self.queue);
        if queue.admitted < queue.limit {
            queue.admitted += 1;
            return Ticket::Admitted(Permit {
                queue: Some(self.queue.clone()),
            });
        }
        let (admit, admitted) = oneshot::channel();
        queue.waiting.push_back(admit);
        Ticket::Queued(admitted)
    }
}

/// How a run waits for its turn: at once, with `()`, the turn of every run
/// of a runner without a cap, which takes no room in the run's task; or
/// with its [`Ticket`].
pub(crate) trait Turn: Send + 'static {
    /// What the run holds until it ends.
    type Permit: Send;

    /// Waits for the run's turn.
    fn wait(self) -> impl Future<Output = Self::Permit> + Send;
}

impl Turn for () {
    type Permit = ();

    async fn wait(self) {}
}

impl Turn for Ticket {
    type Permit = Permit;

    async fn wait(self) -> Permit {
        match self {
            Self::Admitted(permit) => permit,
            Self::Queued(admitted) => admitted
                .await
                .expect("a queued run is admitted once a run before it ends"),
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let Some(shared) = self.queue.take() else {
            return;
        };
        let mut queue = lock(&shared);
        while let Some(admit) = queue.waiting.pop_front() {
            let permit = Permit {
                queue: Some(shared.clone()),
            };
            match admit.send(permit) {
                Ok(()) => return,
                // That run was dropped while queued: this permit was never
                // its to release.
                Err(mut unused) => unused.queue = None,
            }
        }
        queue.admitted -= 1;
    }
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // Nothing panics while the lock is held.
    queue.lock().unwrap_or_else(|poison| poison.into_inner())
}
