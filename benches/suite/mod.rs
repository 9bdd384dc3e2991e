//! The workloads of the benchmarks, each written twice: with
//! `typed-workflows`, and by hand with plain tokio tasks and channels doing the
//! same work. Where a stronger hand-written program of the same shape as
//! our run exists, it is written too, as a third version. Every version
//! checks its result, so a benchmark of a broken runtime fails instead of
//! timing nothing.
//!
//! Shared by the table harness (`benches/workloads`) and the criterion
//! benchmarks (`benches/criterion.rs`); each uses the part it needs.
#![allow(dead_code)]

pub mod chain;
pub mod durable;
pub mod fan_out;
pub mod hand_run;
pub mod parallel;
pub mod parked;
pub mod retries;
pub mod runs;
pub mod sends;
pub mod snapshot;
pub mod stream;

use std::future::Future;
use std::pin::Pin;

/// One version of a workload, run at a given size.
pub type Job = fn(u64) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// What `typed-workflows` should reach on a workload, from issue 15's table
/// where it has one: printed beside the figures, never failing a run.
#[derive(Clone, Copy)]
pub enum Target {
    /// At most this much per operation: nanoseconds, or bytes for memory.
    PerOp(f64),
    /// At most this multiple of the baseline.
    OverBaseline(f64),
    /// At most this multiple of the strongest hand-written program.
    OverStrongest(f64),
    /// No target.
    None,
}

/// A workload measured in time per operation.
pub struct Timed {
    pub name: &'static str,
    pub unit: &'static str,
    pub quick_size: u64,
    pub target: Target,
    pub ours: Job,
    /// The hand-written program the table has compared against since issue 6.
    pub by_hand: Job,
    /// The strongest hand-written program of the same shape as our run,
    /// where it is not `by_hand` itself.
    pub strongest: Option<Job>,
}

/// The workloads measured in time per operation.
pub const TIMED: [Timed; 8] = [
    Timed {
        name: "chain",
        unit: "hop",
        quick_size: 100_000,
        target: Target::OverStrongest(7.0),
        ours: |n| Box::pin(chain::ours(n)),
        by_hand: |n| Box::pin(chain::by_hand(n)),
        strongest: Some(|n| Box::pin(chain::in_one_task(n))),
    },
    Timed {
        name: "fan_out",
        unit: "item",
        quick_size: 100_000,
        target: Target::OverStrongest(1.2),
        ours: |n| Box::pin(fan_out::ours(n)),
        by_hand: |n| Box::pin(fan_out::by_hand(n)),
        strongest: Some(|n| Box::pin(fan_out::in_one_task(n))),
    },
    Timed {
        name: "fan_out_typed",
        unit: "item",
        quick_size: 100_000,
        target: Target::None,
        ours: |n| Box::pin(fan_out::ours_typed(n)),
        by_hand: |n| Box::pin(fan_out::by_hand(n)),
        strongest: Some(|n| Box::pin(fan_out::in_one_task(n))),
    },
    Timed {
        name: "stream",
        unit: "event",
        quick_size: 100_000,
        target: Target::PerOp(150.0),
        ours: |n| Box::pin(stream::ours(n)),
        by_hand: |n| Box::pin(stream::by_hand(n)),
        strongest: None,
    },
    Timed {
        name: "sends",
        unit: "event",
        quick_size: 100_000,
        target: Target::None,
        ours: |n| Box::pin(sends::ours(n)),
        by_hand: |n| Box::pin(sends::by_hand(n)),
        strongest: None,
    },
    Timed {
        name: "runs",
        unit: "run",
        quick_size: 100_000,
        target: Target::OverBaseline(1.5),
        ours: |n| Box::pin(runs::ours(n)),
        by_hand: |n| Box::pin(runs::by_hand(n)),
        strongest: Some(|n| Box::pin(runs::hand_runs(n))),
    },
    Timed {
        name: "retries",
        unit: "run",
        quick_size: 10_000,
        target: Target::OverBaseline(2.0),
        ours: |n| Box::pin(retries::ours(n)),
        by_hand: |n| Box::pin(retries::by_hand(n)),
        strongest: None,
    },
    Timed {
        name: "retries_in_turn",
        unit: "run",
        // Small: were each attempt to wait for the timer's millisecond, as
        // issue 15 found, a repetition would take seconds.
        quick_size: 1_000,
        target: Target::OverBaseline(2.0),
        ours: |n| Box::pin(retries::ours_in_turn(n)),
        by_hand: |n| Box::pin(retries::by_hand_in_turn(n)),
        strongest: None,
    },
];
