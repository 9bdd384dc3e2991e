//! The tracing workloads: chain and runs with a `tracing_subscriber` fmt
//! subscriber writing to a sink, at INFO and at DEBUG, against the same
//! workload without one.
//!
//! The subscriber is the process's global default, installed at the first
//! measurement, with its level behind a reload handle. "Without a
//! subscriber" is its level at OFF: tracing then skips every span and
//! event at the level check, before it reaches any subscriber, as it does
//! with none installed. Installed once, it stays, so these rows come last.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use tokio::runtime::Runtime;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{Registry, reload};

use crate::measure;
use crate::options::Options;
use crate::report::{Measure, Row};
use crate::suite::{self, Job, Target};

/// The target at DEBUG, over the same workload without a subscriber.
const DEBUG_TARGET: Target = Target::OverBaseline(2.0);

/// One traced workload: its rows' names and unit, its size, and its
/// versions at OFF, INFO and DEBUG.
struct Traced {
    names: [&'static str; 2],
    unit: &'static str,
    size: u64,
    levels: [Job; 3],
}

const TRACED: [Traced; 2] = [
    Traced {
        names: ["tracing_info_chain", "tracing_debug_chain"],
        unit: "hop",
        size: 100_000,
        levels: [
            |n| at(LevelFilter::OFF, suite::chain::ours(n)),
            |n| at(LevelFilter::INFO, suite::chain::ours(n)),
            |n| at(LevelFilter::DEBUG, suite::chain::ours(n)),
        ],
    },
    Traced {
        names: ["tracing_info_runs", "tracing_debug_runs"],
        unit: "run",
        size: 10_000,
        levels: [
            |n| at(LevelFilter::OFF, suite::runs::ours(n)),
            |n| at(LevelFilter::INFO, suite::runs::ours(n)),
            |n| at(LevelFilter::DEBUG, suite::runs::ours(n)),
        ],
    },
];

/// The level of the global subscriber, installing it the first time.
fn set_level(level: LevelFilter) {
    static LEVEL: OnceLock<reload::Handle<LevelFilter, Registry>> = OnceLock::new();
    let handle = LEVEL.get_or_init(|| {
        let (filter, handle) = reload::Layer::new(LevelFilter::OFF);
        tracing_subscriber::registry()
            .with(filter)
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
            .try_init()
            .expect("no other global subscriber is installed");
        handle
    });
    handle
        .reload(level)
        .expect("the subscriber is installed for good");
}

/// `workload` with the subscriber at `level`, which is set when the job
/// is called, as every version does, so that each pays the same.
fn at(
    level: LevelFilter,
    workload: impl Future<Output = ()> + Send + 'static,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    set_level(level);
    Box::pin(workload)
}

/// The rows of the traced workloads asked for: each at INFO and at DEBUG,
/// against itself at OFF.
pub fn rows(runtime: &Runtime, options: &Options, reps: usize) -> Vec<Row> {
    TRACED
        .iter()
        .filter(|traced| traced.names.iter().any(|name| options.wants(name)))
        .flat_map(|traced| {
            let costs = measure::versions(runtime, &traced.levels, traced.size, reps);
            let row = |name, ours, target| Row {
                name,
                size: traced.size,
                unit: traced.unit,
                measure: Measure::Time,
                ours,
                by_hand: costs[0],
                strongest: None,
                target,
            };
            [
                row(traced.names[0], costs[1], Target::None),
                row(traced.names[1], costs[2], DEBUG_TARGET),
            ]
        })
        .collect()
}

/// Every level of every traced workload once, at `size`: checks their
/// results under the subscriber.
pub fn smoke(runtime: &Runtime, size: u64) {
    for traced in &TRACED {
        for job in traced.levels {
            measure::time(runtime, job, size);
        }
    }
    println!("tracing: chain and runs ran at OFF, INFO and DEBUG");
    set_level(LevelFilter::OFF);
}
