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

/// The median nanoseconds per operation of each of `jobs`, over `reps`
/// rounds in which every job runs once, after one warm-up of each.
pub fn versions(runtime: &Runtime, jobs: &[Job], size: u64, reps: usize) -> Vec<f64> {
    let timings: Vec<_> = jobs
        .iter()
        .map(|&job| move || time(runtime, job, size))
        .collect();
    let timings: Vec<&dyn Fn() -> Duration> = timings
        .iter()
        .map(|timing| timing as &dyn Fn() -> Duration)
        .collect();
    in_turns(&timings, size, reps)
}

/// The median nanoseconds per operation of `job` on `first` and on
/// `second`, taking turns as [`versions`] does.
pub fn across(first: &Runtime, second: &Runtime, job: Job, size: u64, reps: usize) -> (f64, f64) {
    let medians = in_turns(
        &[&|| time(first, job, size), &|| time(second, job, size)],
        size,
        reps,
    );
    (medians[0], medians[1])
}

/// The medians of `reps` runs of each of `versions`, per operation of
/// `size`, in rounds after one warm-up of each.
pub fn in_turns(versions: &[&dyn Fn() -> Duration], size: u64, reps: usize) -> Vec<f64> {
    rounds(versions, reps)
        .into_iter()
        .map(|samples| per_op(samples, size))
        .collect()
}

/// The times of `reps` runs of each of `versions`, in rounds after one
/// warm-up of each: the `i`th time of every version is from round `i`.
pub fn rounds(versions: &[&dyn Fn() -> Duration], reps: usize) -> Vec<Vec<Duration>> {
    for version in versions {
        version();
    }
    let mut samples = vec![Vec::with_capacity(reps); versions.len()];
    for rep in 0..reps {
        // Rotate which goes first, so that none always follows another.
        for turn in 0..versions.len() {
            let index = (rep + turn) % versions.len();
            samples[index].push(versions[index]());
        }
    }
    samples
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
