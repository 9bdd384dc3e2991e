//! [`MemoryStore`]: runs in a mutex-guarded map, gone with the process;
//! the reference semantics the other backends are tested against.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::future::ready;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use tokio::sync::broadcast;
use workflow_model::RunId;

use crate::batch::{Batch, Committed, TimerChange};
use crate::clock::{Clock, SystemClock};
use crate::error::StoreError;
use crate::head::RunHead;
use crate::lease::{Lease, Owner};
use crate::notice::{self, Change, Notice};
use crate::run::{
    Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, Snapshot, Timer, WorkflowKey,
};
use crate::store::{BoxFuture, Store};

/// A store in this process's memory: for tests, and for runs that need
/// not outlive the process.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use workflow_store::{ManualClock, MemoryStore, Store};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_000));
/// let store = MemoryStore::with_clock(clock.clone());
/// assert_eq!(store.describe(), "memory");
/// ```
pub struct MemoryStore {
    runs: Mutex<BTreeMap<RunId, MemoryRun>>,
    clock: Arc<dyn Clock>,
    notices: broadcast::Sender<Notice>,
}

/// One run, whole.
struct MemoryRun {
    head: RunHead,
    start: Vec<u8>,
    snapshot: Option<Snapshot>,
    journal: BTreeMap<u64, Vec<u8>>,
    /// Stream record `seq` at index `seq - 1`.
    stream: Vec<Vec<u8>>,
    /// The unconsumed input.
    inputs: BTreeMap<u64, Vec<u8>>,
    timers: BTreeMap<String, SystemTime>,
}

impl MemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(SystemClock)
    }

    /// An empty store whose leases and timers follow `clock`.
    pub fn with_clock(clock: impl Clock) -> Self {
        Self {
            runs: Mutex::new(BTreeMap::new()),
            clock: Arc::new(clock),
            notices: broadcast::channel(notice::CAPACITY).0,
        }
    }

    fn runs(&self) -> MutexGuard<'_, BTreeMap<RunId, MemoryRun>> {
        // Every change is made whole under the lock before it is released,
        // so a panic elsewhere leaves no half-made change behind.
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn not_found(&self, run: RunId) -> StoreError {
        StoreError::NotFound {
            store: self.describe(),
            run,
        }
    }

    /// Runs `change` on run `id`, then sends the notices it returns.
    fn change<T>(
        &self,
        id: RunId,
        change: impl FnOnce(&mut MemoryRun, &str, SystemTime) -> Result<(T, Vec<Notice>), StoreError>,
    ) -> Result<T, StoreError> {
        let (value, notices) = {
            let mut runs = self.runs();
            let run = runs.get_mut(&id).ok_or_else(|| self.not_found(id))?;
            change(run, &self.describe(), self.clock.now())?
        };
        notice::announce(&self.notices, notices);
        Ok(value)
    }

    fn create_now(&self, new: NewRun, owner: &Owner) -> Result<Claimed, StoreError> {
        let now = self.clock.now();
        let claimed = {
            let mut runs = self.runs();
            let Entry::Vacant(slot) = runs.entry(new.id) else {
                return Err(StoreError::AlreadyExists {
                    store: self.describe(),
                    run: new.id,
                });
            };
            let mut head = RunHead::new(&new, now);
            let lease = head.take_lease(&self.describe(), owner, now)?;
            slot.insert(MemoryRun {
                head,
                start: new.start,
                snapshot: None,
                journal: BTreeMap::new(),
                stream: Vec::new(),
                inputs: BTreeMap::new(),
                timers: BTreeMap::new(),
            })
            .claimed(lease)
        };
        notice::announce(
            &self.notices,
            [Notice {
                run: new.id,
                what: Change::Created,
            }],
        );
        Ok(claimed)
    }

    fn claim_ready_now(
        &self,
        owner: &Owner,
        workflows: &[WorkflowKey],
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        let now = self.clock.now();
        let store = self.describe();
        let mut claimed = Vec::new();
        let mut notices = Vec::new();
        for run in self.runs().values_mut() {
            if claimed.len() == limit {
                break;
            }
            let timer_due = run.timers.values().any(|due| *due <= now);
            if workflows.contains(&run.head.workflow) && run.head.is_ready(now, timer_due) {
                let lease = run.head.take_lease(&store, owner, now)?;
                claimed.push(run.claimed(lease));
                notices.extend(run.head.notices([Change::Status]));
            }
        }
        notice::announce(&self.notices, notices);
        Ok(claimed)
    }

    fn list_now(&self, filter: &RunFilter) -> Vec<RunMeta> {
        let after = filter.after.map_or(Bound::Unbounded, Bound::Excluded);
        self.runs()
            .range((after, Bound::Unbounded))
            .map(|(_, run)| run.head.meta())
            .filter(|meta| filter.admits(meta))
            .take(filter.limit)
            .collect()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryRun {
    fn loaded(&self) -> Loaded {
        let records = |records: &BTreeMap<u64, Vec<u8>>| {
            records
                .iter()
                .map(|(seq, bytes)| Record {
                    seq: *seq,
                    bytes: bytes.clone(),
                })
                .collect()
        };
        Loaded {
            meta: self.head.meta(),
            start: self.start.clone(),
            snapshot: self.snapshot.clone(),
            journal: records(&self.journal),
            inputs: records(&self.inputs),
            timers: self
                .timers
                .iter()
                .map(|(id, due)| Timer {
                    id: id.clone(),
                    due: *due,
                })
                .collect(),
            journal_next: self.head.journal_next,
            stream_next: self.head.stream_next,
        }
    }

    fn claimed(&self, lease: Lease) -> Claimed {
        Claimed {
            run: self.loaded(),
            lease,
        }
    }

    fn commit(
        &mut self,
        store: &str,
        lease: &Lease,
        batch: Batch,
        now: SystemTime,
    ) -> Result<(Committed, Vec<Notice>), StoreError> {
        self.head.check_batch(store, lease, &batch, now)?;
        for (seq, bytes) in batch.numbered_journal() {
            self.journal.insert(seq, bytes.to_vec());
        }
        if let Some(bytes) = &batch.snapshot {
            let through = batch.snapshot_through();
            self.journal.retain(|seq, _| *seq > through);
            self.snapshot = Some(Snapshot {
                through,
                bytes: bytes.clone(),
            });
        }
        self.stream
            .extend(batch.stream.iter().map(|record| record.bytes.clone()));
        for change in &batch.timers {
            match change {
                TimerChange::Set { id, due } => self.timers.insert(id.clone(), *due),
                TimerChange::Clear { id } => self.timers.remove(id),
            };
        }
        if let Some(through) = batch.consumed_through {
            self.inputs.retain(|seq, _| *seq > through);
        }
        Ok(self.head.apply(&batch, now))
    }
}

impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory".to_owned()
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        Box::pin(ready(self.create_now(run, owner)))
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        Box::pin(ready(self.change(run, |run, store, now| {
            let lease = run.head.take_lease(store, owner, now)?;
            Ok((run.claimed(lease), run.head.notices([Change::Status])))
        })))
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        Box::pin(ready(self.claim_ready_now(owner, workflows, limit)))
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        Box::pin(ready(self.change(lease.run, |run, store, now| {
            run.commit(store, lease, batch, now)
        })))
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        Box::pin(ready(self.change(lease.run, |run, store, now| {
            Ok((run.head.renew(store, lease, now)?, Vec::new()))
        })))
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        Box::pin(ready(Ok(self.runs().get(&run).map(MemoryRun::loaded))))
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Record>, StoreError>> {
        let read = self
            .runs()
            .get(&run)
            .map(|run| {
                (after + 1..)
                    .zip(
                        run.stream
                            .iter()
                            .skip(usize::try_from(after).unwrap_or(usize::MAX)),
                    )
                    .take(limit)
                    .map(|(seq, bytes)| Record {
                        seq,
                        bytes: bytes.clone(),
                    })
                    .collect()
            })
            .ok_or_else(|| self.not_found(run));
        Box::pin(ready(read))
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(ready(self.change(run, |run, store, now| {
            let seq = run.head.add_input(store, now)?;
            run.inputs.insert(seq, input);
            Ok((seq, run.head.notices([Change::Input])))
        })))
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        Box::pin(ready(Ok(self.list_now(filter))))
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }
}
