//! The operations that write, each run by the writer thread inside its own
//! savepoint: they read the run's head, apply the rules of
//! [`RunHead`], and write back what changed.

use rusqlite::{Connection, params};
use workflow_model::RunId;

use super::fault::RowError;
use super::key::Key;
use super::reads::load_head;
use super::records::{self, Log};
use super::runs;
use super::time::micros;
use super::writer::Env;
use crate::batch::{Batch, Committed, TimerChange};
use crate::error::StoreError;
use crate::head::RunHead;
use crate::lease::{Lease, Owner};
use crate::notice::{Change, Notice};
use crate::run::{Claimed, NewRun, WorkflowKey};

/// What a write returns: its answer, and the notices to send once the
/// group commits.
type Written<T> = Result<(T, Vec<Notice>), StoreError>;

/// The head of `run`, which must exist; `operation` names what wanted it,
/// built only if reading fails.
fn head(
    conn: &Connection,
    env: &Env,
    run: &Key,
    operation: impl Fn() -> String,
) -> Result<RunHead, StoreError> {
    runs::read_head(conn, run)
        .map_err(|error| error.at(env.store, &operation()))?
        .ok_or_else(|| StoreError::NotFound {
            store: env.store.to_owned(),
            run: run.id(),
        })
}

/// Records a new run, leased to `owner`.
pub(super) fn create(conn: &Connection, env: &Env, new: NewRun, owner: &Owner) -> Written<Claimed> {
    let at = |error: RowError| error.at(env.store, &format!("create run {}", new.id));
    if runs::read_head(conn, &Key::of(new.id))
        .map_err(at)?
        .is_some()
    {
        return Err(StoreError::AlreadyExists {
            store: env.store.to_owned(),
            run: new.id,
        });
    }
    let mut head = RunHead::new(&new, env.now);
    let lease = head.take_lease(env.store, owner, env.now)?;
    runs::insert_run(conn, &head, &new.start).map_err(at)?;
    let run = head.created(new.start);
    Ok((Claimed { run, lease }, head.notices([Change::Created])))
}

/// Gives `owner` the lease of run `id`.
pub(super) fn claim(conn: &Connection, env: &Env, id: RunId, owner: &Owner) -> Written<Claimed> {
    let key = Key::of(id);
    let operation = || format!("claim run {id}");
    let mut head = head(conn, env, &key, operation)?;
    let stored = head.status.kind();
    let lease = head.take_lease(env.store, owner, env.now)?;
    let at = |error: RowError| error.at(env.store, &operation());
    runs::update_head(conn, &head, stored).map_err(at)?;
    let run = load_head(conn, &key, &head).map_err(at)?;
    Ok((Claimed { run, lease }, head.notices([Change::Status])))
}

/// Gives `owner` the leases of up to `limit` ready runs of `workflows`.
pub(super) fn claim_ready(
    conn: &Connection,
    env: &Env,
    owner: &Owner,
    workflows: &[WorkflowKey],
    limit: usize,
) -> Written<Vec<Claimed>> {
    let ready = ready(conn, env, workflows, limit)
        .map_err(|error| error.at(env.store, &format!("claim ready runs for `{}`", owner.id)))?;
    let mut claimed = Vec::new();
    let mut notices = Vec::new();
    for id in ready {
        let (run, notice) = claim(conn, env, id, owner)?;
        claimed.push(run);
        notices.extend(notice);
    }
    Ok((claimed, notices))
}

/// The ids of up to `limit` ready runs of `workflows`: the rule of
/// [`RunHead::is_ready`] in SQL.
fn ready(
    conn: &Connection,
    env: &Env,
    workflows: &[WorkflowKey],
    limit: usize,
) -> Result<Vec<RunId>, RowError> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM runs
         WHERE workflow = ?1 AND fingerprint = ?2 AND status != 2
           AND (lease_owner IS NULL OR lease_expires <= ?3)
           AND (status = 0 OR input_next > consumed_through + 1
                OR EXISTS (SELECT 1 FROM timers WHERE timers.run = runs.id AND timers.due <= ?3))
         ORDER BY id LIMIT ?4",
    )?;
    let mut ids = Vec::new();
    for key in workflows {
        if ids.len() == limit {
            break;
        }
        let left = i64::try_from(limit - ids.len()).unwrap_or(i64::MAX);
        let rows = statement.query_map(
            params![key.name, key.fingerprint, micros(env.now), left],
            |row| row.get::<_, String>(0),
        )?;
        for id in rows {
            let id = id?;
            ids.push(
                id.parse()
                    .map_err(|_| RowError::Corrupt(format!("run id {id:?} is malformed")))?,
            );
        }
    }
    Ok(ids)
}

/// Applies `batch` to the lease's run if the lease and the batch's
/// conditions hold.
pub(super) fn commit(
    conn: &Connection,
    env: &Env,
    lease: &Lease,
    batch: Batch,
) -> Written<Committed> {
    let key = Key::of(lease.run);
    let operation = || {
        format!(
            "commit to run {} at journal record {}",
            lease.run, batch.journal_next
        )
    };
    let mut head = head(conn, env, &key, operation)?;
    let stored = head.status.kind();
    head.check_batch(env.store, lease, &batch, env.now)?;
    let at = |error: RowError| error.at(env.store, &operation());
    write_batch(conn, &key, &batch).map_err(at)?;
    let (committed, notices) = head.apply(&batch, env.now);
    runs::update_head(conn, &head, stored).map_err(at)?;
    Ok((committed, notices))
}

/// Writes the records and timers of a checked batch to run `id`.
fn write_batch(conn: &Connection, id: &Key, batch: &Batch) -> Result<(), RowError> {
    for (seq, bytes) in batch.numbered_journal() {
        records::insert_record(conn, Log::Journal, id, seq, bytes)?;
    }
    if let Some(snapshot) = &batch.snapshot {
        let through = batch.snapshot_through();
        records::put_snapshot(conn, id, through, snapshot)?;
        records::delete_through(conn, Log::Journal, id, through)?;
    }
    for record in &batch.stream {
        records::insert_record(conn, Log::Stream, id, record.seq, &record.bytes)?;
    }
    for change in &batch.timers {
        match change {
            TimerChange::Set { id: timer, due } => records::set_timer(conn, id, timer, *due)?,
            TimerChange::Clear { id: timer } => records::clear_timer(conn, id, timer)?,
        }
    }
    if let Some(through) = batch.consumed_through {
        records::delete_through(conn, Log::Inputs, id, through)?;
    }
    Ok(())
}

/// Extends a current lease.
pub(super) fn renew(conn: &Connection, env: &Env, lease: &Lease) -> Written<Lease> {
    let operation = || format!("renew the lease of run {}", lease.run);
    let mut head = head(conn, env, &Key::of(lease.run), operation)?;
    let stored = head.status.kind();
    let renewed = head.renew(env.store, lease, env.now)?;
    runs::update_head(conn, &head, stored).map_err(|error| error.at(env.store, &operation()))?;
    Ok((renewed, Vec::new()))
}

/// Appends input to run `id`.
pub(super) fn send_input(conn: &Connection, env: &Env, id: RunId, input: &[u8]) -> Written<u64> {
    let key = Key::of(id);
    let operation = || format!("send input to run {id}");
    let mut head = head(conn, env, &key, operation)?;
    let stored = head.status.kind();
    let seq = head.add_input(env.store, env.now)?;
    let at = |error: RowError| error.at(env.store, &operation());
    records::insert_record(conn, Log::Inputs, &key, seq, input).map_err(at)?;
    runs::update_head(conn, &head, stored).map_err(at)?;
    Ok((seq, head.notices([Change::Input])))
}
