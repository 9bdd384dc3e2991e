//! The durable rows (see `suite/durable.rs`): workloads whose runs are
//! recorded in a store, each taking turns with what it is held against in
//! the same process: the same workflow in memory, or the disk's own rate
//! of synced commits.
//!
//! Every measurement on SQLite gets a store in a new file under the
//! temporary directory, opened before the clock starts and removed after,
//! so that no repetition reads or grows what another wrote.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use typed_workflows::store::{MemoryStore, SqliteStore, Store};

use crate::measure;
use crate::options::Options;
use crate::report::{Compare, Durable};
use crate::suite::durable::{self, DurableJob, STEPS, TempDb};
use crate::suite::{Job, chain, fan_out, runs};

/// A workload of the table, run in memory and durably.
struct Twin {
    /// The row on SQLite; the row on `MemoryStore` adds `_mem`.
    name: &'static str,
    mem_name: &'static str,
    unit: &'static str,
    in_memory: Job,
    durable: DurableJob,
}

/// Chain, runs and fan-out, as the table runs them and durably.
const TWINS: [Twin; 3] = [
    Twin {
        name: "durable_chain",
        mem_name: "durable_chain_mem",
        unit: "hop",
        in_memory: |n| Box::pin(chain::ours(n)),
        durable: |n, store| Box::pin(chain::durable(n, store)),
    },
    Twin {
        name: "durable_runs",
        mem_name: "durable_runs_mem",
        unit: "run",
        in_memory: |n| Box::pin(runs::ours(n)),
        durable: |n, store| Box::pin(runs::durable(n, store)),
    },
    Twin {
        name: "durable_fan_out",
        mem_name: "durable_fan_out_mem",
        unit: "item",
        in_memory: |n| Box::pin(fan_out::ours(n)),
        durable: |n, store| Box::pin(fan_out::durable(n, store)),
    },
];

/// The sizes of the durable workloads: far below the table's, since a
/// durable run syncs the disk at every round of its invocations.
struct Sizes {
    /// Of each of [`TWINS`], in its order.
    twins: [u64; 3],
    /// The three-step runs at once of `durable_steps`.
    at_once: u64,
    /// The three-step runs, one after another, of `durable_latency`.
    in_turn: u64,
    /// The synced commits the disk's rate is measured over.
    commits: u64,
}

/// The sizes of the table: a chain syncs at every hop, and a fan-out
/// writes the whole run, every item still queued, at each round of its
/// workers, so that its cost per item grows with the items (3.6 ms per
/// item at 1,000 on 2 cores); both stay small.
const TABLE: Sizes = Sizes {
    twins: [200, 1_000, 100],
    at_once: 1_000,
    in_turn: 50,
    commits: 200,
};

/// Small enough for `cargo test`.
const SMOKE: Sizes = Sizes {
    twins: [5, 10, 10],
    at_once: 8,
    in_turn: 2,
    commits: 5,
};

/// The step completions `durable_steps` should reach in the time of one
/// synced commit: ten, through group commit.
const STEPS_TARGET: f64 = 10.0;
/// The most a three-step run may take, in synced commits.
const LATENCY_TARGET: f64 = 3.0;

/// The durable rows asked for, each the median of `reps`.
pub fn rows(runtime: &Runtime, options: &Options, reps: usize) -> Vec<Durable> {
    let mut rows: Vec<Durable> = TWINS
        .iter()
        .zip(TABLE.twins)
        .filter(|(twin, _)| options.wants(twin.name))
        .flat_map(|(twin, size)| against_memory(runtime, twin, size, reps))
        .collect();
    if options.wants("durable_steps") || options.wants("durable_latency") {
        rows.extend(against_disk(runtime, &TABLE, reps));
    }
    rows
}

/// Every durable row once, at small sizes, as a check.
pub fn smoke(runtime: &Runtime) {
    for (twin, size) in TWINS.iter().zip(SMOKE.twins) {
        against_memory(runtime, twin, size, 1);
    }
    against_disk(runtime, &SMOKE, 1);
}

/// A twin in memory, on SQLite and on `MemoryStore`, taking turns: a row
/// for each store, against the run in memory.
fn against_memory(runtime: &Runtime, twin: &Twin, size: u64, reps: usize) -> [Durable; 2] {
    let turns = Turns::measure(
        &[
            (&|| measure::time(runtime, twin.in_memory, size), size),
            (&|| on_sqlite(runtime, twin.durable, size), size),
            (
                &|| time(runtime, twin.durable, size, Arc::new(MemoryStore::new())),
                size,
            ),
        ],
        reps,
    );
    let row = |name, durable| {
        Row {
            name,
            size,
            units: (twin.unit, twin.unit),
            compare: Compare::Cost { most: None },
        }
        .of(&turns, (durable, 0))
    };
    [row(twin.name, 1), row(twin.mem_name, 2)]
}

/// The disk's synced commits, the three-step runs at once, and one at a
/// time, taking turns: the steps and the runs each against the commits.
fn against_disk(runtime: &Runtime, sizes: &Sizes, reps: usize) -> [Durable; 2] {
    let steps = sizes.at_once * STEPS;
    let turns = Turns::measure(
        &[
            (&|| synced(sizes.commits), sizes.commits),
            (
                &|| {
                    on_sqlite(
                        runtime,
                        |n, store| Box::pin(durable::at_once(n, store)),
                        sizes.at_once,
                    )
                },
                steps,
            ),
            (
                &|| {
                    on_sqlite(
                        runtime,
                        |n, store| Box::pin(durable::in_turn(n, store)),
                        sizes.in_turn,
                    )
                },
                sizes.in_turn,
            ),
        ],
        reps,
    );
    [
        Row {
            name: "durable_steps",
            size: steps,
            units: ("step", "commit"),
            compare: Compare::Rate {
                least: STEPS_TARGET,
            },
        }
        .of(&turns, (1, 0)),
        Row {
            name: "durable_latency",
            size: sizes.in_turn,
            units: ("run", "commit"),
            compare: Compare::Cost {
                most: Some(LATENCY_TARGET),
            },
        }
        .of(&turns, (2, 0)),
    ]
}

/// Versions measured in turns: `0[v][i]`, the nanoseconds per operation
/// of version `v` in round `i`.
struct Turns(Vec<Vec<f64>>);

impl Turns {
    /// `reps` rounds of `versions`, each given with the operations one of
    /// its runs does.
    fn measure(versions: &[(&dyn Fn() -> Duration, u64)], reps: usize) -> Self {
        let timings: Vec<&dyn Fn() -> Duration> =
            versions.iter().map(|&(timing, _)| timing).collect();
        let rounds = measure::rounds(&timings, reps);
        Self(
            rounds
                .into_iter()
                .zip(versions)
                .map(|(times, &(_, operations))| {
                    times
                        .iter()
                        .map(|time| time.as_nanos() as f64 / operations.max(1) as f64)
                        .collect()
                })
                .collect(),
        )
    }
}

/// What a durable row is, before its figures.
struct Row {
    name: &'static str,
    size: u64,
    /// The durable version's unit, and that of what it is held against.
    units: (&'static str, &'static str),
    compare: Compare,
}

impl Row {
    /// The row of version `durable` against version `against` of
    /// `turns`: the median cost of each, and the median of the ratios of
    /// the rounds, each from two measurements side by side, so that a
    /// disk whose speed drifts moves both.
    fn of(self, turns: &Turns, (durable, against): (usize, usize)) -> Durable {
        let (durable, against) = (&turns.0[durable], &turns.0[against]);
        let ratios = durable
            .iter()
            .zip(against)
            .map(|(&durable, &against)| self.compare.of(durable, against))
            .collect();
        Durable {
            name: self.name,
            size: self.size,
            unit: self.units.0,
            durable: median(durable.clone()),
            against: median(against.clone()),
            against_unit: self.units.1,
            ratio: median(ratios),
            compare: self.compare,
        }
    }
}

/// The median of `values`.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// How long `job` takes at `size` with its runs recorded in `store`,
/// measured inside a task.
fn time(runtime: &Runtime, job: DurableJob, size: u64, store: Arc<dyn Store>) -> Duration {
    runtime
        .block_on(runtime.spawn(async move {
            let started = Instant::now();
            job(size, store).await;
            started.elapsed()
        }))
        .expect("the workload does not panic")
}

/// How long `job` takes at `size` on a new SQLite store, not counting its
/// opening.
fn on_sqlite(runtime: &Runtime, job: DurableJob, size: u64) -> Duration {
    let file = TempDb::new("store");
    // Held here, so that the store closes, its writer thread finishing,
    // after the clock stops and before `file` removes its files.
    let store = Arc::new(SqliteStore::open(file.path()).expect("open the store"));
    time(runtime, job, size, store.clone())
}

/// How long `count` synced commits take on a new database, not counting
/// its opening.
fn synced(count: u64) -> Duration {
    let file = TempDb::new("synced");
    let conn = durable::synced_table(file.path());
    let started = Instant::now();
    durable::synced_commits(&conn, count);
    started.elapsed()
}
