//! Timing: each measurement runs inside a task of the runtime, and the two
//! versions of a workload take turns, so that both see the same noise.

use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

use crate::suite::Job;

/// How long `job` takes at `size`, measured inside a task.
pub fn time(runtime: &Runtime, job: Job, size: u64) -> Duration {
    runtime
        .block_on(runtime.spawn(async move {
            let started = Instant::now();
            job(size).await;
            started.elapsed()
        }))
        .expect("the workload does not panic")
}

/// The median nanoseconds per operation of `ours` and of `by_hand`, over
/// `reps` alternating repetitions after one warm-up of each.
pub fn pair(runtime: &Runtime, ours: Job, by_hand: Job, size: u64, reps: usize) -> (f64, f64) {
    time(runtime, ours, size);
    time(runtime, by_hand, size);
    let mut ours_samples = Vec::with_capacity(reps);
    let mut by_hand_samples = Vec::with_capacity(reps);
    for rep in 0..reps {
        // Alternate which goes first, so that neither always follows the other.
        if rep % 2 == 0 {
            ours_samples.push(time(runtime, ours, size));
            by_hand_samples.push(time(runtime, by_hand, size));
        } else {
            by_hand_samples.push(time(runtime, by_hand, size));
            ours_samples.push(time(runtime, ours, size));
        }
    }
    (per_op(ours_samples, size), per_op(by_hand_samples, size))
}

/// The median of `reps` repetitions of `job`, in nanoseconds per operation.
pub fn alone(runtime: &Runtime, job: Job, size: u64, reps: usize) -> f64 {
    time(runtime, job, size);
    per_op((0..reps).map(|_| time(runtime, job, size)).collect(), size)
}

fn per_op(mut samples: Vec<Duration>, size: u64) -> f64 {
    samples.sort_unstable();
    samples[samples.len() / 2].as_nanos() as f64 / size.max(1) as f64
}
