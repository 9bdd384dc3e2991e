//! Opening the file: the pragmas, the integrity check, and the crate's
//! migrations, versioned by `PRAGMA user_version`.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::fault::RowError;

/// The migrations, in order: the database is at version `n` once the
/// first `n` have run. Append only; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: runs and their records. The records' tables are keyed by (run,
    // seq) alone (WITHOUT ROWID), so an append writes one b-tree rather
    // than a table and its index. Every row carries `sum`, the checksum of
    // its key and content (see sum.rs); `runs.sum` covers all but `start`,
    // which has its own.
    "CREATE TABLE runs (
        id TEXT PRIMARY KEY NOT NULL,
        workflow TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        outcome BLOB,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        lease_owner TEXT,
        lease_micros INTEGER,
        lease_expires INTEGER,
        journal_next INTEGER NOT NULL,
        stream_next INTEGER NOT NULL,
        input_next INTEGER NOT NULL,
        consumed_through INTEGER NOT NULL,
        sum INTEGER NOT NULL,
        start BLOB NOT NULL,
        start_sum INTEGER NOT NULL
    );
    CREATE INDEX runs_by_workflow ON runs (workflow, fingerprint, status);
    CREATE TABLE journal (run TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, sum INTEGER NOT NULL,
        PRIMARY KEY (run, seq)) WITHOUT ROWID;
    CREATE TABLE stream (run TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, sum INTEGER NOT NULL,
        PRIMARY KEY (run, seq)) WITHOUT ROWID;
    CREATE TABLE inputs (run TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, sum INTEGER NOT NULL,
        PRIMARY KEY (run, seq)) WITHOUT ROWID;
    CREATE TABLE snapshots (run TEXT PRIMARY KEY NOT NULL, through INTEGER NOT NULL, body BLOB NOT NULL,
        sum INTEGER NOT NULL);
    CREATE TABLE timers (run TEXT NOT NULL, id TEXT NOT NULL, due INTEGER NOT NULL, sum INTEGER NOT NULL,
        PRIMARY KEY (run, id)) WITHOUT ROWID;",
];

/// Opens the connection that writes: WAL mode, every commit synced
/// (`synchronous=FULL`), checkpoints every `autocheckpoint` pages (0:
/// never), the file checked and migrated.
pub(super) fn open_writer(path: &Path, autocheckpoint: u32) -> Result<Connection, RowError> {
    let conn = Connection::open(path)?;
    // Room for every statement the writes and the writer's transaction
    // control prepare (about 25), so none is re-parsed.
    conn.set_prepared_statement_cache_capacity(64);
    // `journal_mode` answers with the mode it set: a query, not a batch.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(RowError::Corrupt(format!(
            "the file refuses WAL mode (it is in {mode} mode)"
        )));
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = {autocheckpoint}; PRAGMA foreign_keys = OFF;"
    ))?;
    check(&conn)?;
    migrate(&conn)?;
    Ok(conn)
}

/// Opens a connection that only reads.
pub(super) fn open_reader(path: &Path) -> Result<Connection, RowError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.execute_batch("PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// `PRAGMA quick_check`: the file's structure is sound.
fn check(conn: &Connection) -> Result<(), RowError> {
    let mut statement = conn.prepare("PRAGMA quick_check")?;
    let findings = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if findings == ["ok"] {
        Ok(())
    } else {
        Err(RowError::Corrupt(format!(
            "quick_check found: {}",
            findings.join("; ")
        )))
    }
}

/// Runs the migrations the file has not had, each in its own transaction.
fn migrate(conn: &Connection) -> Result<(), RowError> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(RowError::Unsupported(format!(
            "the schema is at version {version}, newer than this crate's {}: open it with a newer workflow-store",
            MIGRATIONS.len()
        )));
    }
    for (done, migration) in MIGRATIONS.iter().enumerate().skip(version) {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {migration}; PRAGMA user_version = {}; COMMIT;",
            done + 1
        ))?;
    }
    Ok(())
}
