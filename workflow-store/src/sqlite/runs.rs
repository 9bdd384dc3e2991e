//! The `runs` table: a run's head and start record, each verified
//! against its checksum when read.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::fault::RowError;
use super::key::Key;
use super::sum::Sum;
use super::time::{micros, time};
use crate::head::{Held, RunHead};
use crate::lease::Owner;
use crate::run::{RunStatus, StatusKind, WorkflowKey};

/// The columns of `runs` that [`RawHead::of`] reads, in order: a macro,
/// so that the statements that read them are static text for the
/// statement cache.
macro_rules! head_columns {
    () => {
        "id, workflow, fingerprint, status, outcome, created_at, updated_at, epoch, \
         lease_owner, lease_micros, lease_expires, journal_next, stream_next, input_next, consumed_through, sum"
    };
}
pub(super) use head_columns;

/// A status as stored: the `ready` query of writes.rs spells these out.
pub(super) fn kind_code(kind: StatusKind) -> i64 {
    match kind {
        StatusKind::Running => 0,
        StatusKind::Parked => 1,
        StatusKind::Finished => 2,
    }
}

/// A run's status as stored, and its outcome.
fn status_code(status: &RunStatus) -> (i64, Option<&[u8]>) {
    let outcome = match status {
        RunStatus::Finished { outcome } => Some(outcome.as_slice()),
        RunStatus::Running | RunStatus::Parked => None,
    };
    (kind_code(status.kind()), outcome)
}

/// The checksum of a head as stored, `key` its run's.
fn head_sum(head: &RunHead, key: &Key) -> i64 {
    let (status, outcome) = status_code(&head.status);
    Sum::of("runs")
        .text(key.as_str())
        .text(&head.workflow.name)
        .text(&head.workflow.fingerprint)
        .int(status)
        .maybe(outcome, Sum::bytes)
        .int(micros(head.created_at))
        .int(micros(head.updated_at))
        .int(head.epoch as i64)
        .maybe(head.lease.as_ref(), |sum, held| {
            sum.text(&held.owner.id)
                .int(held.owner.lease_for.as_micros() as i64)
                .int(micros(held.expires_at))
        })
        .int(head.journal_next as i64)
        .int(head.stream_next as i64)
        .int(head.input_next as i64)
        .int(head.consumed_through as i64)
        .finish()
}

/// A `runs` row as read, before it is checked.
pub(super) struct RawHead {
    id: String,
    workflow: String,
    fingerprint: String,
    status: i64,
    outcome: Option<Vec<u8>>,
    created_at: i64,
    updated_at: i64,
    epoch: i64,
    lease: Option<(String, i64, i64)>,
    counters: [i64; 4],
    sum: i64,
}

impl RawHead {
    /// Reads the [`HEAD_COLUMNS`] of `row`.
    pub fn of(row: &Row<'_>) -> rusqlite::Result<Self> {
        let lease_owner: Option<String> = row.get(8)?;
        let lease = match lease_owner {
            Some(owner) => Some((owner, row.get(9)?, row.get(10)?)),
            None => None,
        };
        Ok(Self {
            id: row.get(0)?,
            workflow: row.get(1)?,
            fingerprint: row.get(2)?,
            status: row.get(3)?,
            outcome: row.get(4)?,
            created_at: row.get(5)?,
            updated_at: row.get(6)?,
            epoch: row.get(7)?,
            lease,
            counters: [row.get(11)?, row.get(12)?, row.get(13)?, row.get(14)?],
            sum: row.get(15)?,
        })
    }

    /// The head, if the row verifies.
    pub fn verify(self) -> Result<RunHead, RowError> {
        self.verify_as(None)
    }

    /// The head, if the row verifies; `expected`, the key the row was
    /// looked up by, spares parsing the id when the row's is its text.
    fn verify_as(self, expected: Option<&Key>) -> Result<RunHead, RowError> {
        let damaged = |what: &str| RowError::Corrupt(format!("the row of run {} {what}", self.id));
        let key = match expected {
            Some(key) if key.as_str() == self.id => *key,
            _ => Key::of(self.id.parse().map_err(|_| damaged("has a malformed id"))?),
        };
        let status = match (self.status, self.outcome) {
            (0, None) => RunStatus::Running,
            (1, None) => RunStatus::Parked,
            (2, Some(outcome)) => RunStatus::Finished { outcome },
            _ => return Err(damaged("has an unknown status")),
        };
        let [journal_next, stream_next, input_next, consumed_through] =
            self.counters.map(|counter| counter as u64);
        let head = RunHead {
            id: key.id(),
            workflow: WorkflowKey::new(self.workflow, self.fingerprint),
            status,
            created_at: time(self.created_at),
            updated_at: time(self.updated_at),
            epoch: self.epoch as u64,
            lease: self.lease.map(|(owner, lease_for, expires_at)| Held {
                owner: Owner::new(owner, Duration::from_micros(lease_for.unsigned_abs())),
                expires_at: time(expires_at),
            }),
            journal_next,
            stream_next,
            input_next,
            consumed_through,
        };
        if head_sum(&head, &key) == self.sum {
            Ok(head)
        } else {
            Err(damaged("fails its checksum"))
        }
    }
}

/// The head of `run`, if there is one.
pub(super) fn read_head(conn: &Connection, run: &Key) -> Result<Option<RunHead>, RowError> {
    let mut statement = conn.prepare_cached(concat!(
        "SELECT ",
        head_columns!(),
        " FROM runs WHERE id = ?1"
    ))?;
    let raw = statement.query_row([run], RawHead::of).optional()?;
    raw.map(|raw| raw.verify_as(Some(run))).transpose()
}

/// Stores a new run's head and start record: the row is inserted with its
/// key and start, then [`update_head`], the one writer of heads, fills it.
pub(super) fn insert_run(conn: &Connection, head: &RunHead, start: &[u8]) -> Result<(), RowError> {
    let id = Key::of(head.id);
    let start_sum = Sum::of("start").text(id.as_str()).bytes(start).finish();
    conn.prepare_cached(
        "INSERT INTO runs (id, workflow, fingerprint, status, created_at, updated_at, epoch,
             journal_next, stream_next, input_next, consumed_through, sum, start, start_sum)
         VALUES (?1, ?2, ?3, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?4, ?5)",
    )?
    .execute(params![
        id,
        head.workflow.name,
        head.workflow.fingerprint,
        start,
        start_sum
    ])?;
    update_head(conn, head, StatusKind::Running)
}

/// Stores a run's changed head; `stored`, the status its row has now.
///
/// The status is the one column of the head in an index
/// (`runs_by_workflow`): SQLite rewrites an index entry when the UPDATE
/// names one of its columns, whether or not the value changes. A head
/// whose status stays is written without it, so that a commit does not
/// dirty (and sync) a page of the index as well as that of the row
/// (`?2`, bound but unused then, keeps one list of parameters).
pub(super) fn update_head(
    conn: &Connection,
    head: &RunHead,
    stored: StatusKind,
) -> Result<(), RowError> {
    let (status, outcome) = status_code(&head.status);
    let lease = head.lease.as_ref();
    let key = Key::of(head.id);
    let sql = if head.status.kind() == stored {
        "UPDATE runs SET outcome = ?3, created_at = ?4, updated_at = ?5, epoch = ?6,
             lease_owner = ?7, lease_micros = ?8, lease_expires = ?9, journal_next = ?10,
             stream_next = ?11, input_next = ?12, consumed_through = ?13, sum = ?14
         WHERE id = ?1"
    } else {
        "UPDATE runs SET status = ?2, outcome = ?3, created_at = ?4, updated_at = ?5, epoch = ?6,
             lease_owner = ?7, lease_micros = ?8, lease_expires = ?9, journal_next = ?10,
             stream_next = ?11, input_next = ?12, consumed_through = ?13, sum = ?14
         WHERE id = ?1"
    };
    conn.prepare_cached(sql)?.execute(params![
        key,
        status,
        outcome,
        micros(head.created_at),
        micros(head.updated_at),
        head.epoch as i64,
        lease.map(|held| held.owner.id.as_str()),
        lease.map(|held| held.owner.lease_for.as_micros() as i64),
        lease.map(|held| micros(held.expires_at)),
        head.journal_next as i64,
        head.stream_next as i64,
        head.input_next as i64,
        head.consumed_through as i64,
        head_sum(head, &key),
    ])?;
    Ok(())
}

/// The start record of `run`.
pub(super) fn read_start(conn: &Connection, run: &Key) -> Result<Vec<u8>, RowError> {
    let (start, sum): (Vec<u8>, i64) = conn
        .prepare_cached("SELECT start, start_sum FROM runs WHERE id = ?1")?
        .query_row([run], |row| Ok((row.get(0)?, row.get(1)?)))?;
    if Sum::of("start").text(run.as_str()).bytes(&start).finish() == sum {
        Ok(start)
    } else {
        Err(RowError::Corrupt(format!(
            "the start record of run {} fails its checksum",
            run.as_str()
        )))
    }
}
