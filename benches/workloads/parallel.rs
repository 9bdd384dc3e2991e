//! The parallel workload: one run's CPU-bound fan-out on a runtime of one
//! worker and on one of two, for the speed-up of `#[step(spawn)]`, beside
//! the same work spawned by hand.

use tokio::runtime::Runtime;

use crate::measure;
use crate::report;
use crate::suite::{Job, parallel};

/// Chunks of work in one run: eight per worker of the larger runtime.
const ITEMS: u64 = 16;

/// The speed-up on two workers that `typed-workflows` must reach.
const TARGET: f64 = 1.7;

const OURS: Job = |n| Box::pin(parallel::ours(n));
const BY_HAND: Job = |n| Box::pin(parallel::by_hand(n));

/// A multi-thread runtime of `workers` workers.
fn runtime(workers: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Measures both versions on one worker and on two, and prints the speed-ups.
pub fn table(reps: usize) {
    let (one, two) = (runtime(1), runtime(2));
    let ours = measure::across(&one, &two, OURS, ITEMS, reps);
    let by_hand = measure::across(&one, &two, BY_HAND, ITEMS, reps);
    report::parallel(ITEMS, parallel::ROUNDS, reps, ours, by_hand, TARGET);
}

/// Both versions once, on one worker and on two: checks their results.
pub fn smoke() {
    for workers in [1, 2] {
        let runtime = runtime(workers);
        for job in [OURS, BY_HAND] {
            measure::time(&runtime, job, 2);
        }
    }
    println!("parallel: both versions crunched 2 chunks on 1 and on 2 workers");
}
