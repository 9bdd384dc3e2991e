//! [`RunHead`]: a run's metadata row and the rules every backend applies
//! to it, so that the backends agree on what a lease, a condition and a
//! status change mean.

use std::time::SystemTime;

use workflow_model::RunId;

use crate::batch::{Batch, Committed};
use crate::error::{Log, StoreError};
use crate::lease::{Lease, Owner};
use crate::notice::{Change, Notice};
use crate::run::{NewRun, RunMeta, RunStatus, WorkflowKey};

/// A lease as the run's row holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// Who holds it, and for how long at a time.
    pub owner: Owner,
    /// When it expires.
    pub expires_at: SystemTime,
}

/// A run's metadata and counters: everything but its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunHead {
    pub id: RunId,
    pub workflow: WorkflowKey,
    pub status: RunStatus,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub epoch: u64,
    /// The lease, until it is released (it may have expired).
    pub lease: Option<Held>,
    pub journal_next: u64,
    pub stream_next: u64,
    pub input_next: u64,
    pub consumed_through: u64,
}

impl RunHead {
    /// The head of a run just created: no lease yet, empty logs.
    pub fn new(run: &NewRun, now: SystemTime) -> Self {
        Self {
            id: run.id,
            workflow: run.workflow.clone(),
            status: RunStatus::Running,
            created_at: now,
            updated_at: now,
            epoch: 0,
            lease: None,
            journal_next: 1,
            stream_next: 1,
            input_next: 1,
            consumed_through: 0,
        }
    }

    /// The run's metadata.
    pub fn meta(&self) -> RunMeta {
        RunMeta {
            id: self.id,
            workflow: self.workflow.clone(),
            status: self.status.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            epoch: self.epoch,
        }
    }

    /// The run this head is of, as just created with `start`: nothing
    /// recorded yet. (The stores on a database make their runs' records
    /// from their heads.)
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn created(&self, start: Vec<u8>) -> crate::run::Loaded {
        crate::run::Loaded {
            meta: self.meta(),
            start,
            snapshot: None,
            journal: Vec::new(),
            inputs: Vec::new(),
            timers: Vec::new(),
            journal_next: self.journal_next,
            stream_next: self.stream_next,
        }
    }

    /// The lease, if one is live at `now`.
    fn live_lease(&self, now: SystemTime) -> Option<&Held> {
        self.lease.as_ref().filter(|held| now < held.expires_at)
    }

    /// Whether unconsumed input waits.
    fn has_input(&self) -> bool {
        self.input_next > self.consumed_through + 1
    }

    /// Whether [`Store::claim_ready`](crate::Store::claim_ready) may take
    /// the run, given whether one of its timers is due.
    pub fn is_ready(&self, now: SystemTime, timer_due: bool) -> bool {
        let wants_work = match self.status {
            RunStatus::Running => true,
            RunStatus::Parked => self.has_input() || timer_due,
            RunStatus::Finished { .. } => false,
        };
        wants_work && self.live_lease(now).is_none()
    }

    /// Fails if the run has finished, naming `operation`.
    fn unfinished(&self, store: &str, operation: &'static str) -> Result<(), StoreError> {
        match self.status {
            RunStatus::Finished { .. } => Err(StoreError::Finished {
                store: store.to_owned(),
                run: self.id,
                operation,
            }),
            _ => Ok(()),
        }
    }

    /// Gives `owner` the lease, raising the epoch, unless another owner's
    /// lease is live.
    pub fn take_lease(
        &mut self,
        store: &str,
        owner: &Owner,
        now: SystemTime,
    ) -> Result<Lease, StoreError> {
        self.unfinished(store, "claim")?;
        if let Some(held) = self
            .live_lease(now)
            .filter(|held| held.owner.id != owner.id)
        {
            return Err(StoreError::LeaseHeld {
                store: store.to_owned(),
                run: self.id,
                owner: held.owner.id.clone(),
                expires_in: held.expires_at.duration_since(now).unwrap_or_default(),
            });
        }
        self.epoch += 1;
        self.status = RunStatus::Running;
        self.updated_at = now;
        let expires_at = now + owner.lease_for;
        self.lease = Some(Held {
            owner: owner.clone(),
            expires_at,
        });
        Ok(Lease {
            run: self.id,
            owner: owner.clone(),
            epoch: self.epoch,
            expires_at,
        })
    }

    /// Fails unless `lease` is the run's live lease. A lease another claim
    /// fenced off is told so even once the run has finished: its holder
    /// learns that it lost the run, not that the run ended.
    fn check_lease(&self, store: &str, lease: &Lease, now: SystemTime) -> Result<(), StoreError> {
        let lost = || StoreError::LeaseLost {
            store: store.to_owned(),
            run: self.id,
            owner: lease.owner.id.clone(),
            epoch: lease.epoch,
        };
        if self.epoch != lease.epoch {
            return Err(lost());
        }
        self.unfinished(store, "commit")?;
        let current = self
            .live_lease(now)
            .is_some_and(|held| held.owner.id == lease.owner.id);
        if current { Ok(()) } else { Err(lost()) }
    }

    /// Extends the live `lease` by its owner's duration from `now`.
    pub fn renew(
        &mut self,
        store: &str,
        lease: &Lease,
        now: SystemTime,
    ) -> Result<Lease, StoreError> {
        self.check_lease(store, lease, now)?;
        let expires_at = now + lease.owner.lease_for;
        self.lease = Some(Held {
            owner: lease.owner.clone(),
            expires_at,
        });
        Ok(Lease {
            expires_at,
            ..lease.clone()
        })
    }

    /// Fails unless `lease` is current and the batch's conditions hold.
    pub fn check_batch(
        &self,
        store: &str,
        lease: &Lease,
        batch: &Batch,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        self.check_lease(store, lease, now)?;
        let conflict = |log, expected, found| StoreError::Conflict {
            store: store.to_owned(),
            run: self.id,
            log,
            expected,
            found,
        };
        if batch.journal_next != self.journal_next {
            return Err(conflict(
                Log::Journal,
                self.journal_next,
                batch.journal_next,
            ));
        }
        for (expected, record) in (self.stream_next..).zip(&batch.stream) {
            if record.seq != expected {
                return Err(conflict(Log::Stream, expected, record.seq));
            }
        }
        match batch.consumed_through {
            Some(through) if through >= self.input_next => Err(StoreError::Invalid {
                store: store.to_owned(),
                run: self.id,
                detail: format!(
                    "it consumes input through {through}, but only {} inputs were sent",
                    self.input_next - 1
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Applies a checked batch to the head, and tells what changed.
    pub fn apply(&mut self, batch: &Batch, now: SystemTime) -> (Committed, Vec<Notice>) {
        let mut changes = Vec::new();
        self.journal_next += batch.journal.len() as u64;
        if !batch.stream.is_empty() {
            self.stream_next += batch.stream.len() as u64;
            changes.push(Change::Stream);
        }
        if !batch.timers.is_empty() {
            changes.push(Change::Timer);
        }
        if let Some(through) = batch.consumed_through {
            self.consumed_through = self.consumed_through.max(through);
        }
        if let Some(status) = &batch.status {
            if *status != self.status {
                changes.push(Change::Status);
            }
            if !matches!(status, RunStatus::Running) {
                self.lease = None;
            }
            self.status = status.clone();
        }
        if batch.release && self.lease.take().is_some() {
            changes.push(Change::Released);
        }
        self.updated_at = now;
        let committed = Committed {
            journal_next: self.journal_next,
            stream_next: self.stream_next,
        };
        (committed, self.notices(changes))
    }

    /// Takes the next input sequence number for input sent at `now`.
    pub fn add_input(&mut self, store: &str, now: SystemTime) -> Result<u64, StoreError> {
        self.unfinished(store, "input")?;
        let seq = self.input_next;
        self.input_next += 1;
        self.updated_at = now;
        Ok(seq)
    }

    /// Notices of `changes` to this run.
    pub fn notices(&self, changes: impl IntoIterator<Item = Change>) -> Vec<Notice> {
        changes
            .into_iter()
            .map(|what| Notice { run: self.id, what })
            .collect()
    }
}
