//! *durable*: runs recorded in a store as they go, and the disk's own
//! limit beside them.
//!
//! The chain, runs and fan-out workloads run durably through their own
//! modules (`durable` in each); this module holds what only durable runs
//! need: a three-step workflow, run many at once (step completions per
//! second, which group commit should lift above the disk's rate of synced
//! commits) and one at a time (the latency of a run, in synced commits);
//! the disk's rate itself, one SQLite transaction per fsync with no store
//! in between; and the temporary files the stores live in.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use rusqlite::{Connection, params};
use typed_workflows::RunId;
use typed_workflows::prelude::*;
use typed_workflows::store::Store;

/// One version of a durable workload, run at a given size with its runs
/// recorded in the store given.
pub type DurableJob = fn(u64, Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// A file for an SQLite database under the temporary directory, of a name
/// no other process or measurement uses; removed with its WAL and
/// shared-memory files when dropped.
pub struct TempDb(PathBuf);

impl TempDb {
    /// A new name, with `kind` in it to tell the files apart.
    pub fn new(kind: &str) -> Self {
        Self(std::env::temp_dir().join(format!(
            "typed-workflows-bench-{kind}-{}-{}.db",
            std::process::id(),
            RunId::next()
        )))
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[path = "../shared/three_steps.rs"]
mod three_steps;

pub use three_steps::{Ask, STEPS, ThreeSteps};

/// `count` durable runs of the three-step workflow, all started before
/// any is awaited.
pub async fn at_once(count: u64, store: Arc<dyn Store>) {
    let runner = ThreeSteps.runner().durable(store);
    let handlers: Vec<_> = (0..count)
        .map(|number| runner.run(Ask { number }))
        .collect();
    for (number, handler) in (0..count).zip(handlers) {
        let result = handler
            .await
            .expect("a durable three-step run ends with its stop event");
        assert_eq!(result, number + STEPS);
    }
}

/// `count` durable runs of the three-step workflow, each awaited before
/// the next starts.
pub async fn in_turn(count: u64, store: Arc<dyn Store>) {
    let runner = ThreeSteps.runner().durable(store);
    for number in 0..count {
        let result = runner
            .run(Ask { number })
            .await
            .expect("a durable three-step run ends with its stop event");
        assert_eq!(result, number + STEPS);
    }
}

/// A connection to a new database at `path` set up as `SqliteStore` sets
/// up its own (WAL, every commit synced: `synchronous = FULL`), with one
/// table of small rows.
pub fn synced_table(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open the database of synced commits");
    // `journal_mode` answers with the mode it set: a query, not a batch.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .expect("WAL mode");
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE rows (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);",
    )
    .expect("the table of synced commits");
    conn
}

/// `count` transactions of one 64-byte row each through `conn`: outside a
/// transaction, every insert commits, and syncs, alone.
pub fn synced_commits(conn: &Connection, count: u64) {
    let mut insert = conn
        .prepare_cached("INSERT INTO rows (body) VALUES (?1)")
        .expect("the insert");
    for _ in 0..count {
        insert
            .execute(params![&[1_u8; 64][..]])
            .expect("one row, one transaction");
    }
}
