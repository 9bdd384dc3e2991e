//! What a run's caller asks of the run itself, beside the events it sends:
//! a snapshot, a snapshot and the end of the run, or its cancellation. The run answers
//! between two polls of its steps, where it has everything in hand.
//!
//! Requests wait in the run's inbox, under the lock of its stream, where
//! the run's end is marked: a request either sees the end, or is dropped
//! with the inbox as the run ends, which answers it; none is left
//! unanswered.

use tokio::sync::oneshot;

use workflow_model::{RunSnapshot, SnapshotError};

/// A request to the run, with where its answer goes.
pub(crate) enum Request {
    /// Write the run down and go on.
    Snapshot(oneshot::Sender<Result<RunSnapshot, SnapshotError>>),
    /// Write the run down and end it.
    Suspend(oneshot::Sender<Result<RunSnapshot, SnapshotError>>),
    /// End the run as cancelled, as
    /// [`WorkflowHandler::cancel`](crate::WorkflowHandler::cancel) does,
    /// for a caller that holds no handler of it: a durable run reached
    /// through its store.
    Cancel,
}
