//! How many commits per second `SqliteStore` lands with 1, 16 and 256
//! concurrent committers (each on its own run; one small journal record
//! and one stream record per batch), against single-row transactions
//! each synced alone through a plain rusqlite connection: what the store
//! would manage without group commit.
//!
//! ```text
//! cargo run --release -p workflow-store --example commit_rate [SECONDS]
//! ```
//!
//! Each rate is measured for SECONDS (2 by default) in all, in three
//! slices that alternate with the baseline's, each in a fresh file in a
//! temporary directory: on a shared disk whose speed drifts, the two
//! rates then see the same drift.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use workflow_store::SqliteStore;

#[path = "shared/committers.rs"]
mod committers;

use committers::commit_for;

/// How many slices each rate is measured in.
const SLICES: u32 = 3;

/// Commits through a store in a fresh file at `path` with `committers` at
/// once for `window`, and the time they took.
async fn store_slice(path: &Path, committers: usize, window: Duration) -> (u64, Duration) {
    let store = Arc::new(SqliteStore::open(path).expect("open the store"));
    commit_for(store, committers, window).await
}

/// Single-row transactions, each synced alone, for `window`, and the time
/// they took.
fn baseline_slice(path: &Path, window: Duration) -> (u64, Duration) {
    let conn = Connection::open(path).expect("open the baseline file");
    conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
        row.get::<_, String>(0)
    })
    .expect("WAL mode");
    conn.execute_batch("PRAGMA synchronous = FULL; CREATE TABLE journal (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);")
        .expect("the baseline table");
    let began = Instant::now();
    let mut transactions = 0_u64;
    while began.elapsed() < window {
        conn.execute(
            "INSERT INTO journal (body) VALUES (?1)",
            params![vec![1_u8; 64]],
        )
        .expect("one row, one transaction");
        transactions += 1;
    }
    (transactions, began.elapsed())
}

/// Counts over times: a rate per second.
fn rate(slices: &[(u64, Duration)]) -> f64 {
    let (count, time) = slices
        .iter()
        .fold((0, Duration::ZERO), |(count, time), slice| {
            (count + slice.0, time + slice.1)
        });
    count as f64 / time.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let seconds = std::env::args()
        .nth(1)
        .map_or(2.0, |text| text.parse().expect("SECONDS: a number"));
    let slice = Duration::from_secs_f64(seconds) / SLICES;
    let dir = tempfile::tempdir().expect("a temporary directory");
    for committers in [1, 16, 256] {
        let (mut store, mut baseline) = (Vec::new(), Vec::new());
        for round in 0..SLICES {
            let file = |kind: &str| dir.path().join(format!("{kind}-{committers}-{round}.db"));
            store.push(store_slice(&file("store"), committers, slice).await);
            baseline.push(baseline_slice(&file("baseline"), slice));
        }
        let (store, baseline) = (rate(&store), rate(&baseline));
        println!(
            "{committers:>3} committers: store {store:>8.0} batches/s, baseline {baseline:>6.0} transactions/s, ratio {:.1}x",
            store / baseline
        );
    }
}
