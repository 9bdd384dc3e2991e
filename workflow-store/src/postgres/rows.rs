//! Rows as the store reads and writes them: heads, whole runs, times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use workflow_model::RunId;

use super::fault::Fault;
use crate::head::{Held, RunHead};
use crate::lease::Owner;
use crate::run::{Loaded, Record, RunStatus, Snapshot, StatusKind, Timer, WorkflowKey};

/// Microseconds since the Unix epoch: how times are stored.
pub(super) fn micros(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
    })
}

/// The time stored as `micros`.
fn time(micros: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(micros.max(0).unsigned_abs())
}

/// A status as stored: the `ready` and `list` statements spell these out.
pub(super) fn kind_code(kind: StatusKind) -> i16 {
    match kind {
        StatusKind::Running => 0,
        StatusKind::Parked => 1,
        StatusKind::Finished => 2,
    }
}

/// A sequence number or counter as stored.
pub(super) fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored sequence number or counter.
fn uint(n: i64) -> u64 {
    n.max(0).unsigned_abs()
}

/// A run's id as read from a row.
fn run_id(text: &str) -> Result<RunId, Fault> {
    text.parse()
        .map_err(|_| Fault::Corrupt(format!("the run id {text:?} is malformed")))
}

/// The head in the first 15 columns of `row` (`schema::head_columns`).
pub(super) fn head(row: &Row) -> Result<RunHead, Fault> {
    let id = run_id(row.try_get(0)?)?;
    let status = match (row.try_get::<_, i16>(3)?, row.try_get(4)?) {
        (0, None) => RunStatus::Running,
        (1, None) => RunStatus::Parked,
        (2, Some(outcome)) => RunStatus::Finished { outcome },
        (code, _) => {
            return Err(Fault::Corrupt(format!(
                "the row of run {id} has the unknown status {code}"
            )));
        }
    };
    let lease = match row.try_get::<_, Option<String>>(8)? {
        Some(owner) => Some(Held {
            owner: Owner::new(owner, Duration::from_micros(uint(row.try_get(9)?))),
            expires_at: time(row.try_get(10)?),
        }),
        None => None,
    };
    Ok(RunHead {
        id,
        workflow: WorkflowKey::new(row.try_get::<_, String>(1)?, row.try_get::<_, String>(2)?),
        status,
        created_at: time(row.try_get(5)?),
        updated_at: time(row.try_get(6)?),
        epoch: uint(row.try_get(7)?),
        lease,
        journal_next: uint(row.try_get(11)?),
        stream_next: uint(row.try_get(12)?),
        input_next: uint(row.try_get(13)?),
        consumed_through: uint(row.try_get(14)?),
    })
}

/// Records from two arrays of a row, seqs at `at` and bodies after them
/// (both null for none).
fn records(row: &Row, at: usize) -> Result<Vec<Record>, Fault> {
    let seqs: Option<Vec<i64>> = row.try_get(at)?;
    let bodies: Option<Vec<Vec<u8>>> = row.try_get(at + 1)?;
    Ok(seqs
        .unwrap_or_default()
        .into_iter()
        .zip(bodies.unwrap_or_default())
        .map(|(seq, bytes)| Record {
            seq: uint(seq),
            bytes,
        })
        .collect())
}

/// A run whole, from a row of the `load` statement.
pub(super) fn loaded(row: &Row) -> Result<Loaded, Fault> {
    let head = head(row)?;
    let snapshot = match row.try_get::<_, Option<i64>>(16)? {
        Some(through) => Some(Snapshot {
            through: uint(through),
            bytes: row.try_get(17)?,
        }),
        None => None,
    };
    let ids: Option<Vec<String>> = row.try_get(22)?;
    let dues: Option<Vec<i64>> = row.try_get(23)?;
    Ok(Loaded {
        meta: head.meta(),
        start: row.try_get(15)?,
        snapshot,
        journal: records(row, 18)?,
        inputs: records(row, 20)?,
        timers: ids
            .unwrap_or_default()
            .into_iter()
            .zip(dues.unwrap_or_default())
            .map(|(id, due)| Timer { id, due: time(due) })
            .collect(),
        journal_next: head.journal_next,
        stream_next: head.stream_next,
    })
}

/// A head as its row stores it: the values the `insert_run` and
/// `update_head` statements bind.
pub(super) struct HeadRow {
    id: String,
    workflow: String,
    fingerprint: String,
    status: i16,
    outcome: Option<Vec<u8>>,
    created_at: i64,
    updated_at: i64,
    epoch: i64,
    lease_owner: Option<String>,
    lease_micros: Option<i64>,
    lease_expires: Option<i64>,
    counters: [i64; 4],
}

impl HeadRow {
    /// The row of `head`.
    pub fn of(head: &RunHead) -> Self {
        let lease = head.lease.as_ref();
        Self {
            id: head.id.to_string(),
            workflow: head.workflow.name.clone(),
            fingerprint: head.workflow.fingerprint.clone(),
            status: kind_code(head.status.kind()),
            outcome: match &head.status {
                RunStatus::Finished { outcome } => Some(outcome.clone()),
                RunStatus::Running | RunStatus::Parked => None,
            },
            created_at: micros(head.created_at),
            updated_at: micros(head.updated_at),
            epoch: int(head.epoch),
            lease_owner: lease.map(|held| held.owner.id.clone()),
            lease_micros: lease
                .map(|held| i64::try_from(held.owner.lease_for.as_micros()).unwrap_or(i64::MAX)),
            lease_expires: lease.map(|held| micros(held.expires_at)),
            counters: [
                head.journal_next,
                head.stream_next,
                head.input_next,
                head.consumed_through,
            ]
            .map(int),
        }
    }

    /// The parameters of `insert_run`, but the start record.
    pub fn insert(&self) -> [&(dyn ToSql + Sync); 15] {
        let [journal_next, stream_next, input_next, consumed_through] = &self.counters;
        [
            &self.id,
            &self.workflow,
            &self.fingerprint,
            &self.status,
            &self.outcome,
            &self.created_at,
            &self.updated_at,
            &self.epoch,
            &self.lease_owner,
            &self.lease_micros,
            &self.lease_expires,
            journal_next,
            stream_next,
            input_next,
            consumed_through,
        ]
    }

    /// The parameters of `update_head`.
    pub fn update(&self) -> [&(dyn ToSql + Sync); 12] {
        let [journal_next, stream_next, input_next, consumed_through] = &self.counters;
        [
            &self.id,
            &self.status,
            &self.outcome,
            &self.updated_at,
            &self.epoch,
            &self.lease_owner,
            &self.lease_micros,
            &self.lease_expires,
            journal_next,
            stream_next,
            input_next,
            consumed_through,
        ]
    }
}

/// The seqs and bodies of records, as the `insert_journal` and
/// `insert_stream` statements bind them.
pub(super) fn columns<'a>(
    records: impl Iterator<Item = (u64, &'a [u8])>,
) -> (Vec<i64>, Vec<&'a [u8]>) {
    records.map(|(seq, bytes)| (int(seq), bytes)).unzip()
}
