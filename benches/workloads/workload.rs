//! The workloads as the harness sees them, and what it does with them: the
//! quick table, the scaling series, the parallel speed-up, the smoke check.

use tokio::runtime::Runtime;

use crate::durable;
use crate::measure;
use crate::memory::{self, Heap, InTurnJob, ParkJob};
use crate::options::Options;
use crate::parallel;
use crate::report::{self, Measure, Row};
use crate::snapshot;
use crate::suite::{self, Job, TIMED, Target, Timed};
use crate::traced;

/// The memory workload: runs parked inside a step, then by hand: bare
/// tasks, and hand-written runs.
pub const PARKED_OURS: ParkJob = |n, hook| Box::pin(suite::parked::ours(n, hook));
const PARKED: [ParkJob; 3] = [
    PARKED_OURS,
    |n, hook| Box::pin(suite::parked::by_hand(n, hook)),
    |n, hook| Box::pin(suite::parked::hand_runs(n, hook)),
];
const PARKED_QUICK_SIZE: u64 = 100_000;

/// Durable runs waiting for a person, written out to an SQLite store,
/// against bare tasks at a gate. Measured once: writing 100,000 runs takes
/// seconds, and what they leave in memory barely moves.
const PARKED_DURABLE: [ParkJob; 2] = [
    |n, hook| Box::pin(suite::parked::durable(n, hook)),
    |n, hook| Box::pin(suite::parked::by_hand(n, hook)),
];
const PARKED_TARGET: Target = Target::PerOp(640.0);

/// The peak heap of the sends workload, measured on its timed versions.
const SENDS: &str = "sends";
const SENDS_QUICK_SIZE: u64 = 100_000;
const SENDS_TARGET: Target = Target::PerOp(40.0);

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
        .map(|workload| timed_row(runtime, workload, workload.quick_size, reps))
        .collect();
    if options.wants("parked") {
        rows.extend(parked_rows(runtime, PARKED_QUICK_SIZE, reps));
        rows.extend(parked_durable_rows(runtime, PARKED_QUICK_SIZE));
    }
    if options.wants("sends_peak") {
        rows.extend(sends_peak_rows(runtime, SENDS_QUICK_SIZE, reps));
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
            SCALING_SIZES.map(|size| timed_row(runtime, workload, size, scaling_reps))
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

    let traced = traced::rows(options, reps);
    if !traced.is_empty() {
        report::tracing(&traced, reps);
    }

    let durable = durable::rows(runtime, options, reps);
    if !durable.is_empty() {
        report::durable(&durable, reps);
    }
}

/// The versions of a timed workload: ours, the baseline, the strongest if
/// it has one.
fn jobs(workload: &Timed) -> Vec<Job> {
    [workload.ours, workload.by_hand]
        .into_iter()
        .chain(workload.strongest)
        .collect()
}

/// The versions of the timed workload `name`.
fn jobs_of(name: &str) -> Vec<Job> {
    TIMED
        .iter()
        .find(|workload| workload.name == name)
        .map(jobs)
        .expect("a timed workload of that name")
}

/// A timed workload at `size`, every version taking turns.
fn timed_row(runtime: &Runtime, workload: &Timed, size: u64, reps: usize) -> Row {
    let costs = measure::versions(runtime, &jobs(workload), size, reps);
    Row::timed(workload, size, &costs)
}

/// Whether the snapshot workload's rows, `snapshot` and `resume`, were
/// asked for.
fn wants_snapshot(options: &Options) -> bool {
    options.wants("snapshot") || options.wants("resume")
}

/// The parked workload, as two rows of the table: the bytes asked for and
/// those malloc handed out.
fn parked_rows(runtime: &Runtime, size: u64, reps: usize) -> [Row; 2] {
    let held = PARKED.map(|job| median_heap(reps, || memory::parked(runtime, job, size)));
    heap_rows(
        ["parked", "parked_usable"],
        "run",
        size,
        &held,
        PARKED_TARGET,
    )
}

/// The parked durable workload, as two rows like the parked ones.
fn parked_durable_rows(runtime: &Runtime, size: u64) -> [Row; 2] {
    let held = PARKED_DURABLE.map(|job| memory::parked(runtime, job, size));
    heap_rows(
        ["parked_durable", "parked_durable_usable"],
        "run",
        size,
        &held,
        Target::None,
    )
}

/// The peak heap of the sends workload, as two rows like the parked ones.
fn sends_peak_rows(runtime: &Runtime, size: u64, reps: usize) -> [Row; 2] {
    let peaks: Vec<Heap> = jobs_of(SENDS)
        .into_iter()
        .map(|job| median_heap(reps, || memory::peak(runtime, job, size)))
        .collect();
    heap_rows(
        ["sends_peak", "sends_peak_usable"],
        "event",
        size,
        &peaks,
        SENDS_TARGET,
    )
}

/// The rows, under `names`, of the bytes asked for and of those malloc
/// handed out, from the figures of each version: ours, the baseline, the
/// strongest if measured.
fn heap_rows(
    names: [&'static str; 2],
    unit: &'static str,
    size: u64,
    versions: &[Heap],
    target: Target,
) -> [Row; 2] {
    let row = |name, bytes: fn(&Heap) -> f64| Row {
        name,
        size,
        unit,
        measure: Measure::Bytes,
        ours: bytes(&versions[0]),
        by_hand: bytes(&versions[1]),
        strongest: versions.get(2).map(bytes),
        target,
    };
    [
        row(names[0], |heap| heap.requested),
        row(names[1], |heap| heap.usable),
    ]
}

/// The median of `reps` readings of `measure`, at most 5, as memory
/// figures barely move; each way of counting on its own.
fn median_heap(reps: usize, measure: impl Fn() -> Heap) -> Heap {
    let readings: Vec<Heap> = (0..reps.min(5)).map(|_| measure()).collect();
    let median = |bytes: fn(&Heap) -> f64| {
        let mut figures: Vec<f64> = readings.iter().map(bytes).collect();
        figures.sort_by(f64::total_cmp);
        figures[figures.len() / 2]
    };
    Heap {
        requested: median(|heap| heap.requested),
        usable: median(|heap| heap.usable),
    }
}

/// The bytes asked for per parked run of `job`, as [`parked_rows`]
/// measures them.
pub fn parked_bytes(runtime: &Runtime, job: ParkJob, size: u64, reps: usize) -> f64 {
    median_heap(reps, || memory::parked(runtime, job, size)).requested
}

/// Every version of every workload once, at a small size: checks that each
/// still produces the right result.
pub fn smoke(runtime: &Runtime) {
    const SIZE: u64 = 1_000;
    for workload in &TIMED {
        for job in jobs(workload) {
            measure::time(runtime, job, SIZE);
        }
        println!(
            "{}: every version ran {SIZE} {}s",
            workload.name, workload.unit
        );
    }
    runtime.block_on(suite::hand_run::check());
    println!("hand_run: a hand-written run ends with its result, cancelled and timed out");
    // A parked durable run may hold nothing at all: that it parks is the check.
    for job in PARKED_DURABLE {
        memory::parked(runtime, job, SIZE);
    }
    for job in PARKED {
        assert!(
            memory::parked(runtime, job, SIZE).requested > 0.0,
            "a parked run holds some memory"
        );
    }
    println!("parked: every version parked {SIZE} runs");
    for job in jobs_of(SENDS) {
        assert!(
            memory::peak(runtime, job, SIZE).usable > 0.0,
            "sent events take some memory"
        );
    }
    println!("sends_peak: both versions sent {SIZE} events under the counting allocator");
    for job in [IN_TURN_OURS, IN_TURN_BY_HAND] {
        let readings = memory::in_turn(runtime, job, SIZE);
        assert_eq!(readings.last().map(|&(done, _)| done), Some(SIZE));
    }
    println!("sequential: both versions ran {SIZE} runs in turn");
    snapshot::smoke(runtime, SIZE);
    println!("snapshot: both versions wrote down and read back {SIZE} events");
    parallel::smoke();
    traced::smoke(SIZE);
    durable::smoke(runtime);
    println!("durable: every durable version ran, on SQLite and in memory, beside synced commits");
}
