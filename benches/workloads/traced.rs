//! The tracing workloads: chain and runs with a `tracing_subscriber` fmt
//! subscriber writing to a sink, at OFF, INFO and DEBUG, against the same
//! workload without a subscriber.
//!
//! A global subscriber cannot be taken away once installed, so in one
//! process the workload without it could only be measured before, not in
//! turns with the levels, and this machine's noise moves by more than the
//! difference between OFF and none. So each measurement runs in a process
//! of its own, this harness started again with `--traced`; the versions
//! take turns as everywhere else.

use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use tokio::runtime::Runtime;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;

use crate::measure;
use crate::options::Options;
use crate::report::{Measure, Row};
use crate::suite::{self, Job, Target};

/// The target at DEBUG, over the same workload without a subscriber.
const DEBUG_TARGET: Target = Target::OverBaseline(2.0);

/// The versions of a traced workload, as `--traced` spells them: without
/// a subscriber, then with one at each level.
const LEVELS: [&str; 4] = ["none", "off", "info", "debug"];

/// One traced workload: its name, its rows' names (at OFF, INFO and
/// DEBUG), unit and size, and the workload itself.
struct Traced {
    workload: &'static str,
    names: [&'static str; 3],
    unit: &'static str,
    size: u64,
    job: Job,
}

const TRACED: [Traced; 2] = [
    Traced {
        workload: "chain",
        names: [
            "tracing_off_chain",
            "tracing_info_chain",
            "tracing_debug_chain",
        ],
        unit: "hop",
        size: 100_000,
        job: |n| Box::pin(suite::chain::ours(n)),
    },
    Traced {
        workload: "runs",
        names: [
            "tracing_off_runs",
            "tracing_info_runs",
            "tracing_debug_runs",
        ],
        unit: "run",
        size: 10_000,
        job: |n| Box::pin(suite::runs::ours(n)),
    },
];

/// The rows of the traced workloads asked for: each at OFF, INFO and
/// DEBUG, against itself without a subscriber.
pub fn rows(options: &Options, reps: usize) -> Vec<Row> {
    TRACED
        .iter()
        .filter(|traced| traced.names.iter().any(|name| options.wants(name)))
        .flat_map(|traced| {
            let versions = LEVELS.map(|level| move || in_a_process(traced, level, traced.size));
            let versions = versions
                .each_ref()
                .map(|version| version as &dyn Fn() -> Duration);
            let costs = measure::in_turns(&versions, traced.size, reps);
            let targets = [Target::None, Target::None, DEBUG_TARGET];
            (0..3).map(move |level| Row {
                name: traced.names[level],
                size: traced.size,
                unit: traced.unit,
                measure: Measure::Time,
                ours: costs[level + 1],
                by_hand: costs[0],
                strongest: None,
                target: targets[level],
            })
        })
        .collect()
}

/// One measurement of `traced` at `size` with the subscriber at `level`,
/// in a new process of this harness.
fn in_a_process(traced: &Traced, level: &str, size: u64) -> Duration {
    let harness = std::env::current_exe().expect("the harness knows its own path");
    let output = Command::new(harness)
        .args(["--bench", "--traced", traced.workload, level])
        .arg(size.to_string())
        .output()
        .expect("the harness starts again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "`--traced {} {level}` failed: {}",
        traced.workload,
        String::from_utf8_lossy(&output.stderr)
    );
    let nanos = stdout
        .trim()
        .parse()
        .expect("`--traced` prints nanoseconds");
    Duration::from_nanos(nanos)
}

/// What `--traced WORKLOAD LEVEL SIZE` does, in the process started for
/// it: installs the subscriber at `level` unless it is `none`, runs the
/// workload once to warm up, then prints how long a second run took, in
/// nanoseconds.
pub fn measure_here(
    runtime: &Runtime,
    workload: &str,
    level: &str,
    size: u64,
) -> Result<(), String> {
    let traced = TRACED
        .iter()
        .find(|traced| traced.workload == workload)
        .ok_or_else(|| format!("no traced workload `{workload}`"))?;
    if level != "none" {
        let level =
            LevelFilter::from_str(level).map_err(|error| format!("level `{level}`: {error}"))?;
        tracing_subscriber::registry()
            .with(level)
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
            .try_init()
            .map_err(|error| error.to_string())?;
    }
    measure::time(runtime, traced.job, size);
    println!("{}", measure::time(runtime, traced.job, size).as_nanos());
    Ok(())
}

/// Every version of every traced workload once, at `size`, each in its
/// process: checks their results with and without the subscriber.
pub fn smoke(size: u64) {
    for traced in &TRACED {
        for level in LEVELS {
            in_a_process(traced, level, size);
        }
    }
    println!(
        "tracing: chain and runs ran without a subscriber and under one at OFF, INFO and DEBUG"
    );
}
