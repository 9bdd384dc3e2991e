//! The timed workloads under criterion, for statistics and for comparing a
//! change against a saved baseline:
//!
//! ```text
//! cargo bench --bench criterion -- --save-baseline before
//! # change something
//! cargo bench --bench criterion -- --baseline before
//! ```
//!
//! Each group holds `typed-workflows` and the hand-written tokio versions of
//! one workload at one size (the baseline, and the strongest program of the
//! same shape where there is one), with the throughput in operations, so criterion
//! reports both in operations per second. The table of ratios and the
//! memory figures come from `cargo bench --bench workloads`.

mod suite;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use tokio::runtime::Runtime;

/// Operations per measured iteration: large enough that a run's fixed cost
/// does not hide the cost per operation.
const SIZE: u64 = 10_000;

fn workloads(criterion: &mut Criterion) {
    let runtime = Runtime::new().expect("a tokio runtime starts");
    for workload in &suite::TIMED {
        let mut group = criterion.benchmark_group(workload.name);
        group.throughput(Throughput::Elements(SIZE));
        let versions = [
            ("workflows", Some(workload.ours)),
            ("tokio by hand", Some(workload.by_hand)),
            ("strongest by hand", workload.strongest),
        ];
        for (version, job) in versions
            .into_iter()
            .filter_map(|(version, job)| Some((version, job?)))
        {
            group.bench_function(BenchmarkId::new(version, SIZE), |bencher| {
                bencher.to_async(&runtime).iter(|| job(SIZE));
            });
        }
        group.finish();
    }
}

// `criterion_group!` writes a public function with no doc comment.
#[allow(missing_docs)]
mod group {
    use super::workloads;

    criterion::criterion_group!(benches, workloads);
}
use group::benches;
criterion_main!(benches);
