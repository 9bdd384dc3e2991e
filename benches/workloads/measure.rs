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
    alternate(
        || time(runtime, ours, size),
        || time(runtime, by_hand, size),
        size,
        reps,
    )
}

/// The median nanoseconds per operation of `job` on `first` and on
/// `second`, taking turns as [`pair`] does.
pub fn across(first: &Runtime, second: &Runtime, job: Job, size: u64, reps: usize) -> (f64, f64) {
    alternate(
        || time(first, job, size),
        || time(second, job, size),
        size,
        reps,
    )
}

/// The medians of `reps` runs of `a` and of `b`, per operation of `size`,
/// taking turns after one warm-up of each.
fn alternate(
    a: impl Fn() -> Duration,
    b: impl Fn() -> Duration,
    size: u64,
    reps: usize,
) -> (f64, f64) {
    a();
    b();
    let mut a_samples = Vec::with_capacity(reps);
    let mut b_samples = Vec::with_capacity(reps);
    for rep in 0..reps {
        // Alternate which goes first, so that neither always follows the other.
        if rep % 2 == 0 {
            a_samples.push(a());
            b_samples.push(b());
        } else {
            b_samples.push(b());
            a_samples.push(a());
        }
    }
    (per_op(a_samples, size), per_op(b_samples, size))
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
