//! [`Journaling`]: the part of a durable run that writes its records to the
//! store, one commit at a time, from the run's own task.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, SystemTime};

use tokio::time::Sleep;

use anyhow::anyhow;
use workflow_model::snapshot::{EventRecord, RunSnapshot, SnapshotError};
use workflow_model::{__private::terminal_event, AnyEvent, RunId, WorkflowError};
use workflow_store::{Batch, Committed, Lease, NewRun, RunStatus, Store, StoreError};

use super::journal::Written;
use super::live::Live;
use super::outcome::Outcome;
use super::{Durability, Journal, RUN_TIMEOUT};
use crate::context::Context;
use crate::run::Ended;
use crate::stream::Publisher;
use crate::workflow::Workflow;

/// A commit being written: what the store answered, and the lease to go on
/// with (renewed on the way if it was running out).
type Writing = Pin<Box<dyn Future<Output = Result<(Committed, Lease), StoreError>> + Send>>;

/// What the end of a run writes to its store.
enum End {
    /// Its new status, and the record of its stream's last event, if it
    /// published one.
    Status(RunStatus, Option<Vec<u8>>),
    /// Nothing but that it lets go of its lease, for another worker to go
    /// on from its last record: a suspended run's end.
    HandBack,
}

/// The writing side of a durable run's journal.
pub(crate) struct Journaling {
    /// The run's lease; `None` for a new run until its first commit
    /// creates it in the store.
    lease: Option<Lease>,
    run: RunId,
    /// The next sequence numbers the store expects.
    journal_next: u64,
    stream_next: u64,
    /// Whether the run has changed since the snapshot last written: an
    /// invocation finished, or something was routed or received.
    changed: bool,
    /// The commit in flight, and how many records steps had asked for
    /// when it began.
    writing: Option<(Writing, u64)>,
    /// How many records steps had asked for when the last commit began.
    covered: u64,
    /// The store's last input the records written hold.
    consumed: u64,
    /// When a new run's timeout is due, until a commit sets its timer.
    timeout_due: Option<SystemTime>,
    /// Whether the run is parking: its end writes it as parked.
    parking: bool,
    /// Whether the run is only recorded here, for any worker to run: it
    /// is suspended as soon as its first record is in the store.
    handing_off: bool,
    /// The timer that wakes the run to renew its lease when half of it
    /// has gone with no commit renewing it on the way; `None` until the
    /// run has polled for it with a lease.
    keeper: Option<Pin<Box<Sleep>>>,
    /// Marks the run live in this process while it lasts.
    _live: Live,
}

impl Journaling {
    /// Writes for the new run `run`, which its first commit creates, and
    /// whose timeout, if it has one, is `timeout` from now. Boxed, as in
    /// the run's task, where a run that is not durable holds a word for it.
    pub(crate) fn new_run(run: RunId, timeout: Option<Duration>) -> Box<Self> {
        let live = Live::mark(run).expect("a new run's id is new");
        Box::new(Self {
            timeout_due: timeout.map(|timeout| SystemTime::now() + timeout),
            ..Self::with(None, run, (1, 1), live)
        })
    }

    /// As [`new_run`](Self::new_run), for a run that is only recorded here
    /// and handed to the store's workers (see [`Runner::submit`]).
    ///
    /// [`Runner::submit`]: crate::Runner::submit
    pub(crate) fn handed_off(run: RunId, timeout: Option<Duration>) -> Box<Self> {
        let mut journaling = Self::new_run(run, timeout);
        journaling.handing_off = true;
        journaling
    }

    /// Writes for the run `lease` holds, whose store expects the journal
    /// and stream sequence numbers `next`, and which `live` marks live.
    pub(crate) fn claimed(lease: Lease, next: (u64, u64), live: Live) -> Box<Self> {
        let run = lease.run;
        let journaling = Self::with(Some(lease), run, next, live);
        Box::new(Self {
            changed: false,
            ..journaling
        })
    }

    fn with(
        lease: Option<Lease>,
        run: RunId,
        (journal_next, stream_next): (u64, u64),
        live: Live,
    ) -> Self {
        Self {
            lease,
            run,
            journal_next,
            stream_next,
            changed: true,
            writing: None,
            covered: 0,
            consumed: 0,
            timeout_due: None,
            parking: false,
            handing_off: false,
            keeper: None,
            _live: live,
        }
    }

    /// Where the run's records stand in the store; `None` for a new run
    /// not created there yet.
    pub(crate) fn written(&self) -> Option<Written> {
        Some(Written {
            lease: self.lease.clone()?,
            journal_next: self.journal_next,
        })
    }

    /// Notes that the run changed, so that the next commit writes a
    /// snapshot.
    #[inline]
    pub(crate) fn note_change(&mut self) {
        self.changed = true;
    }

    /// Whether a snapshot is due: the run changed, or a step asked for a
    /// record, since the last commit began.
    pub(crate) fn snapshot_due(&self, journal: &Journal) -> bool {
        self.changed || journal.asked() > self.covered
    }

    /// Whether a commit is being written.
    pub(crate) fn is_writing(&self) -> bool {
        self.writing.is_some()
    }

    /// Notes that the run parks: its end writes it to the store as
    /// parked, to be loaded again when input comes.
    pub(crate) fn park(&mut self) {
        self.parking = true;
    }

    /// Polls the commit in flight, if any: ready once none is, with the
    /// store's error if it failed, and [`WorkflowError::Suspended`] for a
    /// run handed off to the store's workers once its first record is in.
    pub(crate) fn poll_written(
        &mut self,
        cx: &mut TaskContext<'_>,
        journal: &Journal,
    ) -> Poll<Result<(), WorkflowError>> {
        let Some((writing, asked)) = &mut self.writing else {
            return Poll::Ready(Ok(()));
        };
        let written = std::task::ready!(writing.as_mut().poll(cx));
        let asked = *asked;
        self.writing = None;
        let (committed, lease) = written.map_err(store_failed)?;
        self.journal_next = committed.journal_next;
        self.stream_next = committed.stream_next;
        let renewed = self
            .lease
            .as_ref()
            .is_some_and(|held| held.expires_at != lease.expires_at);
        if renewed && let Some(keeper) = &mut self.keeper {
            keeper.as_mut().reset(half_of(&lease));
        }
        self.lease = Some(lease);
        if let Some(written) = self.written() {
            journal.note_written(written);
        }
        journal.wrote_through(asked);
        if self.handing_off {
            return Poll::Ready(Err(WorkflowError::Suspended));
        }
        Poll::Ready(Ok(()))
    }

    /// Whether the run's lease is due to be renewed with no commit: half of
    /// it has gone since it was taken or last renewed, and no commit is in
    /// flight. Until then the run's task is woken when it is. So a run
    /// keeps its lease through a step that takes longer than the lease
    /// without a record, and while it waits with its handler held.
    pub(crate) fn poll_lease_due(&mut self, cx: &mut TaskContext<'_>) -> bool {
        let Some(lease) = &self.lease else {
            return false;
        };
        if self.writing.is_some() {
            return false;
        }
        let keeper = self
            .keeper
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(half_of(lease))));
        keeper.as_mut().poll(cx).is_ready()
    }

    /// Begins renewing the run's lease, as a write of no records: a lease
    /// that lapsed is taken again if no other worker wrote since (see
    /// [`commit`]). No write may be in flight.
    pub(crate) fn renew(&mut self, journal: &Journal) {
        debug_assert!(self.writing.is_none(), "one write at a time");
        let lease = self.lease.clone().expect("a run renews a lease it has");
        if let Some(keeper) = &mut self.keeper {
            // Armed again now, so that a store whose clock stands still (a
            // test's) is not asked again at once.
            keeper.as_mut().reset(half_of(&lease));
        }
        let store = journal.durability.store.clone();
        let committed = Committed {
            journal_next: self.journal_next,
            stream_next: self.stream_next,
        };
        let expected = (self.journal_next, self.stream_next);
        let writing: Writing = Box::pin(async move {
            let lease = kept(&*store, lease, expected).await?;
            Ok((committed, lease))
        });
        self.writing = Some((writing, self.covered));
    }

    /// Begins a commit of `snapshot`, if given, with the events published
    /// since the last one. None may be in flight.
    pub(crate) fn write(
        &mut self,
        journal: &Journal,
        stream: &Publisher,
        snapshot: Option<RunSnapshot>,
    ) -> Result<(), WorkflowError> {
        self.write_with(journal, stream, snapshot, None)
    }

    /// Writes the end of the run, once the commit in flight is written:
    /// the events published since the last commit, the event that ends its
    /// stream, and its outcome; then publishes them (see [`Ended::publish`]).
    /// A run stopped by its store writes nothing more; a suspended one
    /// only lets go of its lease. Both go on from their last record. A run
    /// whose end cannot be written ends with the store's error instead, and
    /// the event that says so.
    ///
    /// The future is boxed: every run's task holds what the run awaits,
    /// and a run that is not durable awaits none of this.
    pub(crate) fn end<'a, W: Workflow>(
        mut self: Box<Self>,
        ctx: &'a Context<W>,
        ended: Ended<W>,
    ) -> Pin<Box<dyn Future<Output = Result<crate::Output<W>, WorkflowError>> + Send + 'a>> {
        Box::pin(async move {
            self.handing_off = false;
            let journal = ctx.journal().expect("a journaled run has a journal");
            // Made before the run waits for its store, which must not hold
            // a borrow of the last event across: an event is not `Sync`.
            let end = Self::end_record(
                self.parking,
                ended.outcome.as_ref().map(|_| ()),
                ended.last.as_ref(),
            );
            let written = async {
                let end = end?;
                poll_fn(|cx| self.poll_written(cx, journal)).await?;
                let Some(end) = end else {
                    return Ok(());
                };
                self.write_with(journal, ctx.channel(), None, Some(end))?;
                poll_fn(|cx| self.poll_written(cx, journal)).await
            };
            match written.await {
                Ok(()) => ended.publish(ctx),
                Err(error) => {
                    let last = Some(terminal_event(&error));
                    Ended::<W> {
                        outcome: Err(error),
                        last,
                    }
                    .publish(ctx)
                }
            }
        })
    }

    /// What the end of a run that `ended` with `last` adds to its store:
    /// its status, and `last` as a stream record; parked for a run that
    /// is `parking`; its lease let go for one suspended; nothing for a run
    /// stopped by its store.
    fn end_record(
        parking: bool,
        ended: Result<(), &WorkflowError>,
        last: Option<&AnyEvent>,
    ) -> Result<Option<End>, WorkflowError> {
        let outcome = match (ended, last) {
            (Err(WorkflowError::Suspended), _) if parking => {
                return Ok(Some(End::Status(RunStatus::Parked, None)));
            }
            (Err(WorkflowError::Suspended), _) => return Ok(Some(End::HandBack)),
            (Err(WorkflowError::Store { .. }), _) => return Ok(None),
            (Ok(()), Some(stop)) => Outcome::of(Ok(stop)),
            (Err(error), _) => Outcome::of(Err(error)),
            (Ok(()), None) => unreachable!("a run that stops publishes its stop event"),
        }
        .map_err(not_serializable)?;
        let status = RunStatus::Finished {
            outcome: outcome.to_bytes(),
        };
        Ok(Some(End::Status(
            status,
            last.map(stream_record).transpose()?,
        )))
    }

    fn write_with(
        &mut self,
        journal: &Journal,
        stream: &Publisher,
        snapshot: Option<RunSnapshot>,
        end: Option<End>,
    ) -> Result<(), WorkflowError> {
        debug_assert!(self.writing.is_none(), "one commit at a time");
        let asked = journal.asked();
        let mut batch = Batch::new(self.journal_next);
        if let Some(snapshot) = snapshot {
            if snapshot.inputs_through > self.consumed {
                batch = batch.consume_through(snapshot.inputs_through);
                self.consumed = snapshot.inputs_through;
            }
            batch = batch.snapshot(serde_json::to_vec(&snapshot).map_err(not_serializable)?);
            self.changed = false;
        }
        if let Some(due) = self.timeout_due.filter(|_| self.lease.is_some()) {
            batch = batch.set_timer(RUN_TIMEOUT, due);
            self.timeout_due = None;
        }
        let (first, events) = stream.take_tapped();
        let (status, last) = match end {
            Some(End::Status(status, last)) => (Some(status), last),
            Some(End::HandBack) => {
                batch = batch.release();
                (None, None)
            }
            None => (None, None),
        };
        let records = events.iter().map(stream_record).chain(last.map(Ok));
        for (sequence, record) in (first..).zip(records) {
            batch = batch.stream(store_sequence(sequence), record?);
        }
        if let Some(status) = status {
            batch = batch.status(status);
        }
        self.covered = asked;
        let durability = journal.durability.clone();
        let writing: Writing = match self.lease.clone() {
            Some(lease) => {
                let expected = (self.journal_next, self.stream_next);
                Box::pin(async move { commit(&*durability.store, lease, expected, batch).await })
            }
            None => {
                let run = self.run;
                Box::pin(async move { create(&durability, run, batch).await })
            }
        };
        self.writing = Some((writing, asked));
        Ok(())
    }
}

/// The store's sequence number of the stream event numbered `sequence` in
/// the run: the store counts from 1, the run from 0.
pub(crate) fn store_sequence(sequence: u64) -> u64 {
    sequence + 1
}

/// A stream event as the store keeps it: its record, as JSON.
pub(crate) fn stream_record(event: &AnyEvent) -> Result<Vec<u8>, WorkflowError> {
    let record = EventRecord::of(event).map_err(not_serializable)?;
    serde_json::to_vec(&record).map_err(not_serializable)
}

/// The run's sequence number of the stream event the store numbers
/// `sequence`.
pub(crate) fn run_sequence(sequence: u64) -> u64 {
    sequence.saturating_sub(1)
}

/// Creates the run `run` in the store, with the snapshot of `batch` as its
/// first record, and commits the rest of `batch`, if anything.
async fn create(
    durability: &Durability,
    run: RunId,
    batch: Batch,
) -> Result<(Committed, Lease), StoreError> {
    let Batch {
        snapshot,
        stream,
        status,
        release,
        ..
    } = batch;
    let new = NewRun {
        id: run,
        workflow: durability.key.clone(),
        start: snapshot.expect("a run's first commit writes its snapshot"),
    };
    let claimed = durability.store.create(new, &durability.owner).await?;
    let (journal_next, stream_next) = (claimed.run.journal_next, claimed.run.stream_next);
    let rest = Batch {
        stream,
        status,
        release,
        ..Batch::new(journal_next)
    };
    if rest == Batch::new(journal_next) {
        let committed = Committed {
            journal_next,
            stream_next,
        };
        return Ok((committed, claimed.lease));
    }
    let committed = durability.store.commit(&claimed.lease, rest).await?;
    Ok((committed, claimed.lease))
}

/// Commits `batch` under `lease`, renewing the lease first if half of it
/// has gone. A lease that lapsed while the run waited is taken again, if
/// no other worker wrote to the run since (`expected`, the next sequence
/// numbers the run expects).
async fn commit(
    store: &dyn Store,
    lease: Lease,
    expected: (u64, u64),
    batch: Batch,
) -> Result<(Committed, Lease), StoreError> {
    let lease = if runs_out_soon(&lease) {
        kept(store, lease, expected).await?
    } else {
        lease
    };
    let committed = store.commit(&lease, batch).await?;
    Ok((committed, lease))
}

/// `lease` renewed; if it lapsed, taken again, provided no other worker
/// wrote to the run since (`expected`, the next sequence numbers the run
/// expects).
async fn kept(store: &dyn Store, lease: Lease, expected: (u64, u64)) -> Result<Lease, StoreError> {
    match store.renew(&lease).await {
        Ok(renewed) => Ok(renewed),
        Err(StoreError::LeaseLost { .. }) => take_again(store, &lease, expected).await,
        Err(error) => Err(error),
    }
}

/// When, by the runtime's clock, half of `lease` will have gone, for a
/// lease just taken or renewed.
fn half_of(lease: &Lease) -> tokio::time::Instant {
    tokio::time::Instant::now() + lease.owner.lease_for / 2
}

/// Whether less than half of `lease` is left, by this machine's clock.
fn runs_out_soon(lease: &Lease) -> bool {
    let left = lease
        .expires_at
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    left < lease.owner.lease_for / 2
}

/// Takes the run of a lapsed `lease` again, if the store holds what the
/// run last wrote, and no more.
async fn take_again(
    store: &dyn Store,
    lease: &Lease,
    (journal_next, stream_next): (u64, u64),
) -> Result<Lease, StoreError> {
    let lost = || StoreError::LeaseLost {
        store: store.describe(),
        run: lease.run,
        owner: lease.owner.id.clone(),
        epoch: lease.epoch,
    };
    let claimed = store
        .claim(lease.run, &lease.owner)
        .await
        .map_err(|_| lost())?;
    if claimed.run.journal_next != journal_next || claimed.run.stream_next != stream_next {
        return Err(lost());
    }
    Ok(claimed.lease)
}

/// The run's error for a store that failed.
pub(crate) fn store_failed(error: StoreError) -> WorkflowError {
    WorkflowError::Store {
        source: anyhow::Error::new(error),
    }
}

impl Journaling {
    /// The run's error for a snapshot that could not be taken.
    pub(crate) fn unwritable(error: SnapshotError) -> WorkflowError {
        not_serializable(error)
    }
}

/// The run's error for a record that could not be written as JSON.
pub(crate) fn not_serializable(error: impl std::fmt::Display) -> WorkflowError {
    WorkflowError::Store {
        source: anyhow!("a record of the run could not be written as JSON: {error}"),
    }
}
