//! The benchmark table: every workload measured with `typed-workflows` and with a
//! hand-written tokio program doing the same work, in one process, reported
//! as ratios.
//!
//! ```text
//! cargo bench --bench workloads                  # the table, at quick sizes
//! cargo bench --bench workloads -- runs parked   # only some workloads
//! cargo bench --bench workloads -- --reps 51     # more repetitions
//! cargo bench --bench workloads -- --peer FILE   # against LlamaIndex (benches/peer/compare.sh)
//! ```
//!
//! Under `cargo test` (no `--bench` argument) it runs every workload once at
//! a small size instead, as a check that the benchmarks still work.

#[path = "../suite/mod.rs"]
mod suite;

mod durable;
mod measure;
// The counting allocator implements `GlobalAlloc`, an `unsafe` trait.
#[allow(unsafe_code)]
mod memory;
mod options;
mod parallel;
mod peer;
mod report;
mod snapshot;
mod traced;
mod workload;

use options::{Mode, Options};

fn main() {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n\n{}", options::USAGE);
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match options.mode {
        Mode::Smoke => workload::smoke(&runtime),
        Mode::Table => workload::table(&runtime, &options),
        Mode::Peer(ref path) => peer::compare(&runtime, path, options.reps),
        Mode::Traced {
            ref workload,
            ref level,
            size,
        } => {
            if let Err(message) = traced::measure_here(&runtime, workload, level, size) {
                eprintln!("{message}");
                std::process::exit(2);
            }
        }
    }
}
