//! [`Batch`]: what one commit applies to a run, all or nothing.

use std::time::SystemTime;

use crate::run::{Record, RunStatus};

/// A change to one of a run's timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimerChange {
    /// Sets (or moves) timer `id` to fire at `due`.
    Set {
        /// The timer's id.
        id: String,
        /// When it is due.
        due: SystemTime,
    },
    /// Removes timer `id`, if set.
    Clear {
        /// The timer's id.
        id: String,
    },
}

/// The changes one [`Store::commit`](crate::Store::commit) applies to a
/// run, all or none.
///
/// The commit is conditional: the journal's next sequence number must be
/// `journal_next`, and the stream records must continue the run's stream
/// without a gap; otherwise it fails with
/// [`Conflict`](crate::StoreError::Conflict) and changes nothing.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use workflow_store::{Batch, RunStatus};
///
/// let batch = Batch::new(1)
///     .journal(b"step ran".to_vec())
///     .snapshot(b"state".to_vec())
///     .stream(1, b"event".to_vec())
///     .set_timer("nudge", UNIX_EPOCH + Duration::from_secs(60))
///     .consume_through(2)
///     .status(RunStatus::Parked);
/// assert_eq!(batch.journal.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The journal's next sequence number the batch expects: its first
    /// record gets this number.
    pub journal_next: u64,
    /// Journal records to append, in order.
    pub journal: Vec<Vec<u8>>,
    /// A snapshot that covers the journal through the last record appended
    /// (through `journal_next - 1` if none is): earlier journal records are
    /// compacted away.
    pub snapshot: Option<Vec<u8>>,
    /// Stream records to append: the first must be the stream's next, each
    /// following one the next after it.
    pub stream: Vec<Record>,
    /// Timer changes, applied in order.
    pub timers: Vec<TimerChange>,
    /// Input consumed through this input sequence number: it is not
    /// returned again.
    pub consumed_through: Option<u64>,
    /// A new status: [`Parked`](RunStatus::Parked) and
    /// [`Finished`](RunStatus::Finished) release the lease.
    pub status: Option<RunStatus>,
    /// Whether the commit lets go of the lease, leaving the run's status
    /// as it is: a running run is then ready for any worker at once,
    /// rather than once the lease lapses.
    pub release: bool,
}

impl Batch {
    /// An empty batch that expects the journal's next record to be
    /// `journal_next`.
    pub fn new(journal_next: u64) -> Self {
        Self {
            journal_next,
            journal: Vec::new(),
            snapshot: None,
            stream: Vec::new(),
            timers: Vec::new(),
            consumed_through: None,
            status: None,
            release: false,
        }
    }

    /// Appends a journal record.
    pub fn journal(mut self, bytes: Vec<u8>) -> Self {
        self.journal.push(bytes);
        self
    }

    /// Adds a snapshot that covers the journal through this batch's last
    /// record.
    pub fn snapshot(mut self, bytes: Vec<u8>) -> Self {
        self.snapshot = Some(bytes);
        self
    }

    /// Appends stream record `seq`.
    pub fn stream(mut self, seq: u64, bytes: Vec<u8>) -> Self {
        self.stream.push(Record { seq, bytes });
        self
    }

    /// Sets timer `id` to be due at `due`.
    pub fn set_timer(mut self, id: impl Into<String>, due: SystemTime) -> Self {
        self.timers.push(TimerChange::Set { id: id.into(), due });
        self
    }

    /// Clears timer `id`.
    pub fn clear_timer(mut self, id: impl Into<String>) -> Self {
        self.timers.push(TimerChange::Clear { id: id.into() });
        self
    }

    /// Marks the run's input consumed through input `seq`.
    pub fn consume_through(mut self, seq: u64) -> Self {
        self.consumed_through = Some(seq);
        self
    }

    /// Changes the run's status.
    pub fn status(mut self, status: RunStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Lets go of the lease once the batch is applied: a worker that stops
    /// hands the run back this way, for another to take up at once.
    pub fn release(mut self) -> Self {
        self.release = true;
        self
    }

    /// The journal records with their sequence numbers.
    pub(crate) fn numbered_journal(&self) -> impl Iterator<Item = (u64, &[u8])> {
        (self.journal_next..).zip(self.journal.iter().map(Vec::as_slice))
    }

    /// The last journal record a snapshot in this batch covers.
    pub(crate) fn snapshot_through(&self) -> u64 {
        self.journal_next + self.journal.len() as u64 - 1
    }
}

/// What a commit left: the next sequence numbers to append at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The journal's next sequence number.
    pub journal_next: u64,
    /// The stream's next sequence number.
    pub stream_next: u64,
}
