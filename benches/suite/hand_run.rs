//! A run written by hand with the features a workflow run has: an event
//! stream the caller may read, cancellation and a timeout. The strongest
//! baseline of the runs and parked workloads, against a bare task.

use std::future::Future;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The timeout of every hand-written run, that of a workflow run.
pub const TIMEOUT: Duration = typed_workflows::DEFAULT_TIMEOUT;

/// How a hand-written run ended without its result.
#[derive(Debug, PartialEq)]
pub enum Ended {
    /// [`HandRun::cancel`] was called first.
    Cancelled,
    /// The timeout passed first.
    TimedOut,
}

/// A hand-written run: a task doing the run's work under a timeout, which
/// a cancellation ends early, and which writes its result to the run's
/// event stream as a workflow run writes its stop event.
pub struct HandRun<T> {
    /// The run's events; the result is the last one.
    pub events: mpsc::UnboundedReceiver<T>,
    /// Sending or dropping it cancels the run; `None` once cancelled.
    cancel: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<T, Ended>>,
}

impl<T: Clone + Send + 'static> HandRun<T> {
    /// Starts `work` in a task of its own, ending it after `timeout`.
    pub fn start(work: impl Future<Output = T> + Send + 'static, timeout: Duration) -> Self {
        let (stream, events) = mpsc::unbounded_channel();
        let (cancel, cancelled) = oneshot::channel();
        let task = tokio::spawn(async move {
            let ended = tokio::select! {
                finished = tokio::time::timeout(timeout, work) => finished.map_err(|_| Ended::TimedOut),
                _ = cancelled => Err(Ended::Cancelled),
            };
            if let Ok(result) = &ended {
                // Nobody may read the stream, as with a workflow run.
                let _ = stream.send(result.clone());
            }
            ended
        });
        Self {
            events,
            cancel: Some(cancel),
            task,
        }
    }

    /// Ends the run before its work finishes, if it has not finished yet.
    pub fn cancel(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            let _ = cancel.send(());
        }
    }

    /// The run's result, or how it ended without one.
    pub async fn finish(self) -> Result<T, Ended> {
        // The sender lives until the task ends: dropping it would cancel.
        let Self { cancel, task, .. } = self;
        let ended = task.await.expect("a hand-written run does not panic");
        drop(cancel);
        ended
    }
}

/// Checks each way a hand-written run ends: with its result on the stream,
/// cancelled, timed out.
pub async fn check() {
    let mut run = HandRun::start(async { 7 }, TIMEOUT);
    assert_eq!(run.events.recv().await, Some(7));
    assert_eq!(run.finish().await, Ok(7));
    let mut waiting = HandRun::start(std::future::pending::<u64>(), TIMEOUT);
    waiting.cancel();
    assert_eq!(waiting.finish().await, Err(Ended::Cancelled));
    let slow = HandRun::start(std::future::pending::<u64>(), Duration::from_millis(1));
    assert_eq!(slow.finish().await, Err(Ended::TimedOut));
}
