//! The snapshot workload (see `suite/snapshot.rs`): two phases, each a row
//! against its hand-written floor, at the quick size and at a tenth of it,
//! so that the cost per event shows whether it is linear.

use std::time::Duration;

use tokio::runtime::Runtime;

use crate::report::{Measure, Row};
use crate::suite::Target;
use crate::suite::snapshot::{self, Phases};

/// The smaller size, and that of the quick table.
const SIZES: [u64; 2] = [10_000, 100_000];

/// Targets for `typed-workflows`, in nanoseconds per event the run holds.
const WRITE_TARGET_NS: f64 = 1_000.0;
const RESUME_TARGET_NS: f64 = 2_000.0;

/// The rows of both phases at both sizes, by phase, then by size.
pub fn series(runtime: &Runtime, reps: usize) -> Vec<Row> {
    let [small, quick] = SIZES.map(|size| rows(runtime, size, reps));
    let [small_write, small_resume] = small;
    let [quick_write, quick_resume] = quick;
    vec![small_write, quick_write, small_resume, quick_resume]
}

/// The rows of `series` at the quick size, for the table.
pub fn at_quick_size(series: &[Row]) -> impl Iterator<Item = Row> + '_ {
    let quick = SIZES[SIZES.len() - 1];
    series.iter().filter(move |row| row.size == quick).cloned()
}

/// The rows of both phases at `size`: `snapshot` (taking one) and `resume`
/// (through JSON and back into a run), each the median of `reps`
/// repetitions, ours and by hand taking turns after a warm-up of each.
fn rows(runtime: &Runtime, size: u64, reps: usize) -> [Row; 2] {
    time(runtime, size, Version::Ours);
    time(runtime, size, Version::ByHand);
    let mut ours = Vec::with_capacity(reps);
    let mut by_hand = Vec::with_capacity(reps);
    for rep in 0..reps {
        // Alternate which goes first, so that neither always follows the other.
        if rep % 2 == 0 {
            ours.push(time(runtime, size, Version::Ours));
            by_hand.push(time(runtime, size, Version::ByHand));
        } else {
            by_hand.push(time(runtime, size, Version::ByHand));
            ours.push(time(runtime, size, Version::Ours));
        }
    }
    let per_event = |samples: &[Phases], phase: fn(&Phases) -> Duration| {
        let mut times: Vec<Duration> = samples.iter().map(phase).collect();
        times.sort_unstable();
        times[times.len() / 2].as_nanos() as f64 / size as f64
    };
    let row = |name, phase: fn(&Phases) -> Duration, target| Row {
        name,
        size,
        unit: "event",
        measure: Measure::Time,
        ours: per_event(&ours, phase),
        by_hand: per_event(&by_hand, phase),
        strongest: None,
        target: Target::PerOp(target),
    };
    [
        row("snapshot", |phases| phases.write, WRITE_TARGET_NS),
        row("resume", |phases| phases.round_trip, RESUME_TARGET_NS),
    ]
}

/// Both versions once at `size`, as a check.
pub fn smoke(runtime: &Runtime, size: u64) {
    time(runtime, size, Version::Ours);
    time(runtime, size, Version::ByHand);
}

#[derive(Clone, Copy)]
enum Version {
    Ours,
    ByHand,
}

/// One measurement of `version` at `size`, inside a task of the runtime.
fn time(runtime: &Runtime, size: u64, version: Version) -> Phases {
    let job = async move {
        match version {
            Version::Ours => snapshot::ours(size).await,
            Version::ByHand => snapshot::by_hand(size).await,
        }
    };
    runtime
        .block_on(runtime.spawn(job))
        .expect("the workload does not panic")
}
