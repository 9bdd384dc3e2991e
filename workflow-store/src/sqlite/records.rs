//! The tables of a run's numbered records (journal, stream, input), its
//! snapshot and its timers: each row verified against its checksum when
//! read, and the logs against the run's counters.

use std::ops::Range;
use std::time::SystemTime;

use rusqlite::{Connection, OptionalExtension, params};

use super::fault::RowError;
use super::key::Key;
use super::sum::Sum;
use super::time::{micros, time};
use crate::run::{Record, Snapshot, Timer};

/// One of the tables of numbered records.
#[derive(Clone, Copy, Debug)]
pub(super) enum Log {
    Journal,
    Stream,
    Inputs,
}

/// The statements of one log's table, as static text, so that the
/// statement cache finds them without building their SQL again.
macro_rules! log_sql {
    ($log:expr, $($before:literal)? TABLE $after:literal) => {
        match $log {
            Log::Journal => concat!($($before,)? "journal", $after),
            Log::Stream => concat!($($before,)? "stream", $after),
            Log::Inputs => concat!($($before,)? "inputs", $after),
        }
    };
}

impl Log {
    /// The table's name.
    fn table(self) -> &'static str {
        log_sql!(self, TABLE "")
    }
}

/// The checksum of record `seq` of a log of `run`.
fn record_sum(log: Log, run: &Key, seq: u64, body: &[u8]) -> i64 {
    Sum::of(log.table())
        .text(run.as_str())
        .int(seq as i64)
        .bytes(body)
        .finish()
}

/// Appends record `seq` to a log of `run`.
pub(super) fn insert_record(
    conn: &Connection,
    log: Log,
    run: &Key,
    seq: u64,
    body: &[u8],
) -> Result<(), RowError> {
    let sum = record_sum(log, run, seq, body);
    let sql = log_sql!(log, "INSERT INTO " TABLE " (run, seq, body, sum) VALUES (?1, ?2, ?3, ?4)");
    conn.prepare_cached(sql)?
        .execute(params![run, seq as i64, body, sum])?;
    Ok(())
}

/// Deletes the records of a log of `run` through `seq`.
pub(super) fn delete_through(
    conn: &Connection,
    log: Log,
    run: &Key,
    seq: u64,
) -> Result<(), RowError> {
    let sql = log_sql!(log, "DELETE FROM " TABLE " WHERE run = ?1 AND seq <= ?2");
    conn.prepare_cached(sql)?
        .execute(params![run, seq as i64])?;
    Ok(())
}

/// The records `seqs` of a log of `run`: every one must be there and
/// verify.
pub(super) fn read_records(
    conn: &Connection,
    log: Log,
    run: &Key,
    seqs: Range<u64>,
) -> Result<Vec<Record>, RowError> {
    let sql = log_sql!(
        log,
        "SELECT seq, body, sum FROM " TABLE " WHERE run = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq"
    );
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params![run, seqs.start as i64, seqs.end as i64], |row| {
        Ok((
            row.get::<_, i64>(0)? as u64,
            row.get::<_, Vec<u8>>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    let mut records = Vec::new();
    for (expected, row) in seqs.clone().zip(rows) {
        let (seq, bytes, sum) = row?;
        let damaged = |what: &str| {
            RowError::Corrupt(format!(
                "run {}: {} record {expected} {what}",
                run.as_str(),
                log.table()
            ))
        };
        if seq != expected {
            return Err(damaged("is missing"));
        }
        if record_sum(log, run, seq, &bytes) != sum {
            return Err(damaged("fails its checksum"));
        }
        records.push(Record { seq, bytes });
    }
    if records.len() as u64 == seqs.end.saturating_sub(seqs.start) {
        Ok(records)
    } else {
        let missing = seqs.start + records.len() as u64;
        Err(RowError::Corrupt(format!(
            "run {}: {} record {missing} is missing",
            run.as_str(),
            log.table()
        )))
    }
}

/// The checksum of the snapshot of `run`.
fn snapshot_sum(run: &Key, through: u64, body: &[u8]) -> i64 {
    Sum::of("snapshots")
        .text(run.as_str())
        .int(through as i64)
        .bytes(body)
        .finish()
}

/// Replaces the snapshot of `run`.
pub(super) fn put_snapshot(
    conn: &Connection,
    run: &Key,
    through: u64,
    body: &[u8],
) -> Result<(), RowError> {
    let sum = snapshot_sum(run, through, body);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO snapshots (run, through, body, sum) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run, through as i64, body, sum])?;
    Ok(())
}

/// The snapshot of `run`, if any.
pub(super) fn read_snapshot(conn: &Connection, run: &Key) -> Result<Option<Snapshot>, RowError> {
    let row = conn
        .prepare_cached("SELECT through, body, sum FROM snapshots WHERE run = ?1")?
        .query_row([run], |row| {
            Ok((
                row.get::<_, i64>(0)? as u64,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    match row {
        Some((through, bytes, sum)) if snapshot_sum(run, through, &bytes) == sum => {
            Ok(Some(Snapshot { through, bytes }))
        }
        Some(_) => Err(RowError::Corrupt(format!(
            "the snapshot of run {} fails its checksum",
            run.as_str()
        ))),
        None => Ok(None),
    }
}

/// The checksum of timer `id` of `run`.
fn timer_sum(run: &Key, id: &str, due: i64) -> i64 {
    Sum::of("timers")
        .text(run.as_str())
        .text(id)
        .int(due)
        .finish()
}

/// Sets timer `timer` of `run`.
pub(super) fn set_timer(
    conn: &Connection,
    run: &Key,
    timer: &str,
    due: SystemTime,
) -> Result<(), RowError> {
    let due = micros(due);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO timers (run, id, due, sum) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run, timer, due, timer_sum(run, timer, due)])?;
    Ok(())
}

/// Clears timer `timer` of `run`.
pub(super) fn clear_timer(conn: &Connection, run: &Key, timer: &str) -> Result<(), RowError> {
    conn.prepare_cached("DELETE FROM timers WHERE run = ?1 AND id = ?2")?
        .execute(params![run, timer])?;
    Ok(())
}

/// The timers of `run`, by id.
pub(super) fn read_timers(conn: &Connection, run: &Key) -> Result<Vec<Timer>, RowError> {
    let mut statement =
        conn.prepare_cached("SELECT id, due, sum FROM timers WHERE run = ?1 ORDER BY id")?;
    let rows = statement.query_map([run], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    let mut timers = Vec::new();
    for row in rows {
        let (timer, due, sum) = row?;
        if timer_sum(run, &timer, due) != sum {
            return Err(RowError::Corrupt(format!(
                "run {}: timer {timer} fails its checksum",
                run.as_str()
            )));
        }
        timers.push(Timer {
            id: timer,
            due: time(due),
        });
    }
    Ok(timers)
}
