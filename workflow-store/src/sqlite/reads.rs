//! The queries that read runs: `load`, `read_stream`, `list`, and the
//! whole-run read that `create`, `claim` and `claim_ready` answer with.

use rusqlite::{Connection, params};
use workflow_model::RunId;

use super::fault::RowError;
use super::key::Key;
use super::records::{self, Log};
use super::runs::{self, RawHead, head_columns, kind_code};
use crate::head::RunHead;
use crate::run::{Loaded, Record, RunFilter, RunMeta};

/// Run `id` whole, if there is one.
pub(super) fn load(conn: &Connection, id: RunId) -> Result<Option<Loaded>, RowError> {
    let run = Key::of(id);
    runs::read_head(conn, &run)?
        .map(|head| load_head(conn, &run, &head))
        .transpose()
}

/// The records of `run`, whose head is `head`.
pub(super) fn load_head(conn: &Connection, run: &Key, head: &RunHead) -> Result<Loaded, RowError> {
    let snapshot = records::read_snapshot(conn, run)?;
    let after_snapshot = snapshot.as_ref().map_or(1, |snapshot| snapshot.through + 1);
    Ok(Loaded {
        meta: head.meta(),
        start: runs::read_start(conn, run)?,
        snapshot,
        journal: records::read_records(conn, Log::Journal, run, after_snapshot..head.journal_next)?,
        inputs: records::read_records(
            conn,
            Log::Inputs,
            run,
            head.consumed_through + 1..head.input_next,
        )?,
        timers: records::read_timers(conn, run)?,
        journal_next: head.journal_next,
        stream_next: head.stream_next,
    })
}

/// The stream records of run `id` after `after`, at most `limit`; `None`
/// if there is no such run.
pub(super) fn read_stream(
    conn: &Connection,
    id: RunId,
    after: u64,
    limit: usize,
) -> Result<Option<Vec<Record>>, RowError> {
    let run = Key::of(id);
    let Some(head) = runs::read_head(conn, &run)? else {
        return Ok(None);
    };
    let first = after.saturating_add(1);
    let end = first
        .saturating_add(limit as u64)
        .min(head.stream_next)
        .max(first);
    records::read_records(conn, Log::Stream, &run, first..end).map(Some)
}

/// The metadata of the runs `filter` admits, by id.
pub(super) fn list(conn: &Connection, filter: &RunFilter) -> Result<Vec<RunMeta>, RowError> {
    let status = filter.status.map(kind_code);
    let mut statement = conn.prepare_cached(concat!(
        "SELECT ",
        head_columns!(),
        " FROM runs
         WHERE (?1 IS NULL OR id > ?1) AND (?2 IS NULL OR workflow = ?2) AND (?3 IS NULL OR status = ?3)
         ORDER BY id LIMIT ?4"
    ))?;
    let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
    let rows = statement.query_map(
        params![filter.after.map(Key::of), filter.workflow, status, limit],
        RawHead::of,
    )?;
    let metas = rows
        .map(|raw| Ok(raw?.verify()?.meta()))
        .collect::<Result<Vec<_>, RowError>>()?;
    // An index entry damaged to point at another row would repeat a run.
    match metas.windows(2).find(|pair| pair[0].id >= pair[1].id) {
        Some(pair) => Err(RowError::Corrupt(format!(
            "the runs index lists run {} out of order",
            pair[1].id
        ))),
        None => Ok(metas),
    }
}
