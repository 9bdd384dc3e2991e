//! The workloads as the harness sees them, and what it does with them: the
//! quick table, the scaling series, the parallel speed-up, the smoke check.

use tokio::runtime::Runtime;

use crate::measure;
use crate::memory::{self, InTurnJob, ParkJob};
use crate::options::Options;
use crate::parallel;
use crate::report::{self, Measure, Row};
use crate::snapshot;
use crate::suite::{self, TIMED, Timed};

/// The memory workload: runs parked inside a step.
pub const PARKED_OURS: ParkJob = |n, hook| Box::pin(suite::parked::ours(n, hook));
const PARKED_BY_HAND: ParkJob = |n, hook| Box::pin(suite::parked::by_hand(n, hook));
const PARKED_QUICK_SIZE: u64 = 100_000;
const PARKED_TARGET_BYTES: f64 = 2048.0;

/// Runs one after another, for a leak.
const IN_TURN_OURS: InTurnJob = |n, hook| Box::pin(suite::runs::ours_in_turn(n, hook));
const IN_TURN_BY_HAND: InTurnJob = |n, hook| Box::pin(suite::runs::by_hand_in_turn(n, hook));
const IN_TURN_SIZE: u64 = 1_000_000;

/// The workloads whose cost per operation must not grow with the size.
const SCALED: [&str; 2] = ["chain", "fan_out"];
const SCALING_SIZES: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// Every workload asked for at its quick size, then the scaling series
/// and the sequential runs.
pub fn table(runtime: &Runtime, options: &Options) {
    let reps = options.reps;
    report::header(reps);
    let asked: Vec<&Timed> = TIMED
        .iter()
        .filter(|workload| options.wants(workload.name))
        .collect();
    let mut rows: Vec<Row> = asked
        .iter()
        .map(|workload| {
            let (ours, by_hand) = measure::pair(
                runtime,
                workload.ours,
                workload.by_hand,
                workload.quick_size,
                reps,
            );
            Row::timed(workload, workload.quick_size, ours, by_hand)
        })
        .collect();
    if options.wants("parked") {
        rows.push(parked_row(runtime, PARKED_QUICK_SIZE, reps));
    }
    // Measured at both sizes up front: the quick size in the table, both
    // in a scaling series of their own.
    let snapshot_series = if wants_snapshot(options) {
        snapshot::series(runtime, reps)
    } else {
        Vec::new()
    };
    rows.extend(snapshot::at_quick_size(&snapshot_series));
    report::table(&rows);

    let scaling_reps = reps.div_ceil(4);
    let series: Vec<Row> = asked
        .iter()
        .filter(|workload| SCALED.contains(&workload.name))
        .flat_map(|workload| {
            SCALING_SIZES.map(|size| {
                let (ours, by_hand) =
                    measure::pair(runtime, workload.ours, workload.by_hand, size, scaling_reps);
                Row::timed(workload, size, ours, by_hand)
            })
        })
        .collect();
    if !series.is_empty() {
        report::scaling(&series, scaling_reps);
    }
    if !snapshot_series.is_empty() {
        report::scaling(&snapshot_series, reps);
    }

    if options.wants("parallel") {
        parallel::table(reps);
    }

    if options.wants("sequential") {
        let ours = memory::in_turn(runtime, IN_TURN_OURS, IN_TURN_SIZE);
        let by_hand = memory::in_turn(runtime, IN_TURN_BY_HAND, IN_TURN_SIZE);
        report::in_turn(&ours, &by_hand);
    }
}

/// Whether the snapshot workload's rows, `snapshot` and `resume`, were
/// asked for.
fn wants_snapshot(options: &Options) -> bool {
    options.wants("snapshot") || options.wants("resume")
}

/// The parked workload, as a row of the table.
fn parked_row(runtime: &Runtime, size: u64, reps: usize) -> Row {
    let ours = parked_bytes(runtime, PARKED_OURS, size, reps);
    let by_hand = parked_bytes(runtime, PARKED_BY_HAND, size, reps);
    Row {
        name: "parked",
        size,
        unit: "run",
        measure: Measure::Bytes,
        ours,
        by_hand,
        target: PARKED_TARGET_BYTES,
    }
}

/// The bytes per parked run of `job`: the median of `reps` measurements, at
/// most 5, as the figure barely moves.
pub fn parked_bytes(runtime: &Runtime, job: ParkJob, size: u64, reps: usize) -> f64 {
    let mut samples: Vec<f64> = (0..reps.min(5))
        .map(|_| memory::parked(runtime, job, size))
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Every version of every workload once, at a small size: checks that each
/// still produces the right result.
pub fn smoke(runtime: &Runtime) {
    const SIZE: u64 = 1_000;
    for workload in &TIMED {
        measure::time(runtime, workload.ours, SIZE);
        measure::time(runtime, workload.by_hand, SIZE);
        println!(
            "{}: both versions ran {SIZE} {}s",
            workload.name, workload.unit
        );
    }
    for job in [PARKED_OURS, PARKED_BY_HAND] {
        assert!(
            memory::parked(runtime, job, SIZE) > 0.0,
            "a parked run holds some memory"
        );
    }
    println!("parked: both versions parked {SIZE} runs");
    for job in [IN_TURN_OURS, IN_TURN_BY_HAND] {
        let readings = memory::in_turn(runtime, job, SIZE);
        assert_eq!(readings.last().map(|&(done, _)| done), Some(SIZE));
    }
    println!("sequential: both versions ran {SIZE} runs in turn");
    snapshot::smoke(runtime, SIZE);
    println!("snapshot: both versions wrote down and read back {SIZE} events");
    parallel::smoke();
}
