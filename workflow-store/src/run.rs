//! What a store holds of a run, and what it returns when asked: the
//! metadata, records and timers, and the filters to list runs by.

use std::time::SystemTime;

use workflow_model::RunId;

use crate::lease::Lease;

/// A workflow and the version of its code: runs are only claimed by
/// workers that run the same fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkflowKey {
    /// The workflow's name.
    pub name: String,
    /// The fingerprint of its step table (16 hex digits).
    pub fingerprint: String,
}

impl WorkflowKey {
    /// The key of workflow `name` at `fingerprint`.
    ///
    /// ```
    /// let key = workflow_store::WorkflowKey::new("greet", "00ff00ff00ff00ff");
    /// assert_eq!(key.name, "greet");
    /// ```
    pub fn new(name: impl Into<String>, fingerprint: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            fingerprint: fingerprint.into(),
        }
    }
}

/// A run to record with [`Store::create`](crate::Store::create).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRun {
    /// Its id, which no run in the store may have yet.
    pub id: RunId,
    /// Its workflow and fingerprint.
    pub workflow: WorkflowKey,
    /// The serialised start record, kept for the run's life.
    pub start: Vec<u8>,
}

/// Where a run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunStatus {
    /// Some step can make progress: the lease holder works on it, or, if
    /// the lease expired, the next worker to claim it.
    Running,
    /// Every live step waits for input or a timer: the lease is released,
    /// and the run is ready again when input arrives or a timer is due.
    Parked,
    /// The run has ended with this serialised outcome: it takes no more
    /// commits or input.
    Finished {
        /// The serialised outcome.
        outcome: Vec<u8>,
    },
}

impl RunStatus {
    /// The status without its outcome, to filter by.
    pub fn kind(&self) -> StatusKind {
        match self {
            Self::Running => StatusKind::Running,
            Self::Parked => StatusKind::Parked,
            Self::Finished { .. } => StatusKind::Finished,
        }
    }
}

/// A [`RunStatus`] without its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// [`RunStatus::Running`].
    Running,
    /// [`RunStatus::Parked`].
    Parked,
    /// [`RunStatus::Finished`].
    Finished,
}

/// A run's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMeta {
    /// The run's id.
    pub id: RunId,
    /// Its workflow and fingerprint.
    pub workflow: WorkflowKey,
    /// Where it stands.
    pub status: RunStatus,
    /// When it was created, by the store's clock.
    pub created_at: SystemTime,
    /// When it last changed, by the store's clock.
    pub updated_at: SystemTime,
    /// How many times its lease was taken: the fencing epoch of the
    /// current (or last) lease.
    pub epoch: u64,
}

/// One record of a run's journal, stream or input, by its sequence
/// number (the first is 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its sequence number in its log.
    pub seq: u64,
    /// The serialised record, opaque to the store.
    pub bytes: Vec<u8>,
}

/// A record of a run's stream: what [`Store::read_stream`](crate::Store::read_stream) returns.
pub type StreamRecord = Record;

/// A snapshot of a run's state that stands for its journal up to and
/// including record `through`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The last journal record the snapshot covers (0 before any).
    pub through: u64,
    /// The serialised snapshot.
    pub bytes: Vec<u8>,
}

/// A timer of a run: the run becomes ready when it is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    /// The timer's id, unique within the run.
    pub id: String,
    /// When it is due, by the store's clock.
    pub due: SystemTime,
}

/// A run as [`Store::load`](crate::Store::load) reads it: enough to
/// rebuild its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// Its metadata.
    pub meta: RunMeta,
    /// Its start record.
    pub start: Vec<u8>,
    /// Its latest snapshot, if any.
    pub snapshot: Option<Snapshot>,
    /// The journal records after the snapshot (all of them without one),
    /// in order.
    pub journal: Vec<Record>,
    /// The input sent to the run and not yet consumed, in order.
    pub inputs: Vec<Record>,
    /// Its timers, by id.
    pub timers: Vec<Timer>,
    /// The sequence number the next journal record must have.
    pub journal_next: u64,
    /// The sequence number the next stream record must have.
    pub stream_next: u64,
}

/// A run whose lease the caller took, with all that [`Loaded`] holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The run as it stands.
    pub run: Loaded,
    /// The lease to commit with.
    pub lease: Lease,
}

/// Which runs [`Store::list`](crate::Store::list) returns: those that
/// match every field set, ordered by id, after `after`, at most `limit`.
///
/// ```
/// use workflow_store::{RunFilter, StatusKind};
///
/// let page = RunFilter::new().status(StatusKind::Parked).workflow("greet").limit(50);
/// assert_eq!(page.limit, 50);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFilter {
    /// Only runs in this status.
    pub status: Option<StatusKind>,
    /// Only runs of the workflow of this name.
    pub workflow: Option<String>,
    /// Only runs whose id is greater: the last id of the previous page.
    pub after: Option<RunId>,
    /// At most this many runs.
    pub limit: usize,
}

impl RunFilter {
    /// Every run, without limit.
    pub fn new() -> Self {
        Self {
            status: None,
            workflow: None,
            after: None,
            limit: usize::MAX,
        }
    }

    /// Only runs in `status`.
    pub fn status(mut self, status: StatusKind) -> Self {
        self.status = Some(status);
        self
    }

    /// Only runs of the workflow named `name`.
    pub fn workflow(mut self, name: impl Into<String>) -> Self {
        self.workflow = Some(name.into());
        self
    }

    /// Only runs after `id`: the next page.
    pub fn after(mut self, id: RunId) -> Self {
        self.after = Some(id);
        self
    }

    /// At most `limit` runs.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Whether `meta` passes the status and workflow filters.
    pub(crate) fn admits(&self, meta: &RunMeta) -> bool {
        self.status
            .is_none_or(|status| meta.status.kind() == status)
            && self
                .workflow
                .as_ref()
                .is_none_or(|name| *name == meta.workflow.name)
    }
}

impl Default for RunFilter {
    fn default() -> Self {
        Self::new()
    }
}
