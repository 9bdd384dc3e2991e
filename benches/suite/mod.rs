//! The workloads of the benchmarks, each written twice: with
//! `typed-workflows`, and by hand with plain tokio tasks and channels doing the
//! same work. Both versions check their result, so a benchmark of a broken
//! runtime fails instead of timing nothing.
//!
//! Shared by the table harness (`benches/workloads`) and the criterion
//! benchmarks (`benches/criterion.rs`); each uses the part it needs.
#![allow(dead_code)]

pub mod chain;
pub mod fan_out;
pub mod parallel;
pub mod parked;
pub mod runs;
pub mod snapshot;
pub mod stream;

use std::future::Future;
use std::pin::Pin;

/// One version of a workload, run at a given size.
pub type Job = fn(u64) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// A workload measured in time per operation.
pub struct Timed {
    pub name: &'static str,
    pub unit: &'static str,
    pub quick_size: u64,
    /// The target for `typed-workflows`, in nanoseconds per operation.
    pub target_ns: f64,
    pub ours: Job,
    pub by_hand: Job,
}

/// The workloads measured in time per operation.
pub const TIMED: [Timed; 4] = [
    Timed {
        name: "chain",
        unit: "hop",
        quick_size: 100_000,
        target_ns: 250.0,
        ours: |n| Box::pin(chain::ours(n)),
        by_hand: |n| Box::pin(chain::by_hand(n)),
    },
    Timed {
        name: "fan_out",
        unit: "item",
        quick_size: 100_000,
        target_ns: 500.0,
        ours: |n| Box::pin(fan_out::ours(n)),
        by_hand: |n| Box::pin(fan_out::by_hand(n)),
    },
    Timed {
        name: "stream",
        unit: "event",
        quick_size: 100_000,
        target_ns: 150.0,
        ours: |n| Box::pin(stream::ours(n)),
        by_hand: |n| Box::pin(stream::by_hand(n)),
    },
    Timed {
        name: "runs",
        unit: "run",
        quick_size: 100_000,
        target_ns: 2_000.0,
        ours: |n| Box::pin(runs::ours(n)),
        by_hand: |n| Box::pin(runs::by_hand(n)),
    },
];
