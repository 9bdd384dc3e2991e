//! The tables of a run's numbered records (journal, stream, input), its
//! snapshot and its timers: each row verified against its checksum when
//! read, and the logs against the run's counters.

use std::ops::Range;
use std::time::SystemTime;

use rusqlite::{Connection, OptionalExtension, params};
use workflow_model::RunId;

use super::fault::RowError;
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

impl Log {
    fn table(self) -> &'static str {
        match self {
            Self::Journal => "journal",
            Self::Stream => "stream",
            Self::Inputs => "inputs",
        }
    }
}

fn record_sum(log: Log, run: &str, seq: u64, body: &[u8]) -> i64 {
    Sum::of(log.table())
        .text(run)
        .int(seq as i64)
        .bytes(body)
        .finish()
}

/// Appends record `seq` to a log of run `id`.
pub(super) fn insert_record(
    conn: &Connection,
    log: Log,
    id: RunId,
    seq: u64,
    body: &[u8],
) -> Result<(), RowError> {
    let id = id.to_string();
    let sum = record_sum(log, &id, seq, body);
    conn.prepare_cached(&format!(
        "INSERT INTO {} (run, seq, body, sum) VALUES (?1, ?2, ?3, ?4)",
        log.table()
    ))?
    .execute(params![id, seq as i64, body, sum])?;
    Ok(())
}

/// Deletes the records of a log of run `id` through `seq`.
pub(super) fn delete_through(
    conn: &Connection,
    log: Log,
    id: RunId,
    seq: u64,
) -> Result<(), RowError> {
    conn.prepare_cached(&format!(
        "DELETE FROM {} WHERE run = ?1 AND seq <= ?2",
        log.table()
    ))?
    .execute(params![id.to_string(), seq as i64])?;
    Ok(())
}

/// The records `seqs` of a log of run `id`: every one must be there and
/// verify.
pub(super) fn read_records(
    conn: &Connection,
    log: Log,
    id: RunId,
    seqs: Range<u64>,
) -> Result<Vec<Record>, RowError> {
    let run = id.to_string();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT seq, body, sum FROM {} WHERE run = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq",
        log.table()
    ))?;
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
                "run {run}: {} record {expected} {what}",
                log.table()
            ))
        };
        if seq != expected {
            return Err(damaged("is missing"));
        }
        if record_sum(log, &run, seq, &bytes) != sum {
            return Err(damaged("fails its checksum"));
        }
        records.push(Record { seq, bytes });
    }
    if records.len() as u64 == seqs.end.saturating_sub(seqs.start) {
        Ok(records)
    } else {
        let missing = seqs.start + records.len() as u64;
        Err(RowError::Corrupt(format!(
            "run {run}: {} record {missing} is missing",
            log.table()
        )))
    }
}

fn snapshot_sum(run: &str, through: u64, body: &[u8]) -> i64 {
    Sum::of("snapshots")
        .text(run)
        .int(through as i64)
        .bytes(body)
        .finish()
}

/// Replaces the snapshot of run `id`.
pub(super) fn put_snapshot(
    conn: &Connection,
    id: RunId,
    through: u64,
    body: &[u8],
) -> Result<(), RowError> {
    let run = id.to_string();
    let sum = snapshot_sum(&run, through, body);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO snapshots (run, through, body, sum) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run, through as i64, body, sum])?;
    Ok(())
}

/// The snapshot of run `id`, if any.
pub(super) fn read_snapshot(conn: &Connection, id: RunId) -> Result<Option<Snapshot>, RowError> {
    let run = id.to_string();
    let row = conn
        .prepare_cached("SELECT through, body, sum FROM snapshots WHERE run = ?1")?
        .query_row([&run], |row| {
            Ok((
                row.get::<_, i64>(0)? as u64,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    match row {
        Some((through, bytes, sum)) if snapshot_sum(&run, through, &bytes) == sum => {
            Ok(Some(Snapshot { through, bytes }))
        }
        Some(_) => Err(RowError::Corrupt(format!(
            "the snapshot of run {run} fails its checksum"
        ))),
        None => Ok(None),
    }
}

fn timer_sum(run: &str, id: &str, due: i64) -> i64 {
    Sum::of("timers").text(run).text(id).int(due).finish()
}

/// Sets timer `timer` of run `id`.
pub(super) fn set_timer(
    conn: &Connection,
    id: RunId,
    timer: &str,
    due: SystemTime,
) -> Result<(), RowError> {
    let run = id.to_string();
    let due = micros(due);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO timers (run, id, due, sum) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run, timer, due, timer_sum(&run, timer, due)])?;
    Ok(())
}

/// Clears timer `timer` of run `id`.
pub(super) fn clear_timer(conn: &Connection, id: RunId, timer: &str) -> Result<(), RowError> {
    conn.prepare_cached("DELETE FROM timers WHERE run = ?1 AND id = ?2")?
        .execute(params![id.to_string(), timer])?;
    Ok(())
}

/// The timers of run `id`, by id.
pub(super) fn read_timers(conn: &Connection, id: RunId) -> Result<Vec<Timer>, RowError> {
    let run = id.to_string();
    let mut statement =
        conn.prepare_cached("SELECT id, due, sum FROM timers WHERE run = ?1 ORDER BY id")?;
    let rows = statement.query_map([&run], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    let mut timers = Vec::new();
    for row in rows {
        let (timer, due, sum) = row?;
        if timer_sum(&run, &timer, due) != sum {
            return Err(RowError::Corrupt(format!(
                "run {run}: timer {timer} fails its checksum"
            )));
        }
        timers.push(Timer {
            id: timer,
            due: time(due),
        });
    }
    Ok(timers)
}
