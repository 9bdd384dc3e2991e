//! How a durable run's end is kept in its store: the stop event it ended
//! with, or why it ended without one.

use serde::{Deserialize, Serialize};
use workflow_model::snapshot::{EventRecord, SnapshotError};
use workflow_model::{AnyEvent, WorkflowError};

/// A run's end, as its store keeps it (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The stop event the run ended with.
    Stopped(EventRecord),
    /// The run was cancelled.
    Cancelled,
    /// The run failed: the error, with its causes.
    Failed(String),
}

impl Outcome {
    /// The outcome of a run that ended with `stop`, or with `error`.
    pub(crate) fn of(ended: Result<&AnyEvent, &WorkflowError>) -> Result<Self, SnapshotError> {
        Ok(match ended {
            Ok(stop) => Self::Stopped(EventRecord::of(stop)?),
            Err(WorkflowError::Cancelled) => Self::Cancelled,
            Err(error) => Self::Failed(error.with_causes()),
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an outcome is plain JSON")
    }
}
