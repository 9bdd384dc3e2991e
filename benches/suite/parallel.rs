//! *parallel*: a CPU-bound fan-out. A step fans out `items` chunks of work,
//! a `#[step(spawn)]` step crunches each on tokio's worker pool, and a step
//! gathers the results. Measured on a runtime of one worker and of two, for
//! the speed-up that spawned steps give one run.

use std::hint::black_box;

use tokio::task::JoinSet;
use typed_workflows::prelude::*;

/// Rounds of the hash per chunk: about 2 ms of one core.
pub const ROUNDS: u64 = 2_000_000;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Chunk {
    seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Crunched {
    hash: u64,
}

struct CpuFanOut {
    items: u64,
}

workflow! {
    impl CpuFanOut {
        #[step]
        async fn split(&self, _start: StartEvent) -> Vec<Chunk> {
            (0..self.items).map(|seed| Chunk { seed }).collect()
        }

        #[step(spawn, num_workers = 16)]
        async fn crunch(&self, chunk: Chunk) -> Crunched {
            Crunched { hash: crunch(chunk.seed) }
        }

        #[step]
        async fn gather(&self, crunched: Vec<Crunched>) -> StopEvent<u64> {
            StopEvent::new(crunched.iter().fold(0, |all, one| all ^ one.hash))
        }
    }
}

/// The work of one chunk: `ROUNDS` rounds of a multiplicative hash, which
/// the compiler cannot skip.
fn crunch(seed: u64) -> u64 {
    let mut hash = black_box(seed) | 1;
    for round in 0..ROUNDS {
        hash = (hash ^ round).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// What both versions must come to.
fn expected(items: u64) -> u64 {
    (0..items).fold(0, |all, seed| all ^ crunch(seed))
}

/// `items` chunks crunched in one run of a workflow.
pub async fn ours(items: u64) {
    let hash = CpuFanOut { items }
        .runner()
        .without_timeout()
        .run(StartEvent::new())
        .await
        .expect("the fan-out runs to its stop event");
    assert_eq!(hash, expected_cached(items));
}

/// `items` chunks crunched in spawned tasks, joined by hand.
pub async fn by_hand(items: u64) {
    let mut tasks = JoinSet::new();
    for seed in 0..items {
        tasks.spawn(async move { crunch(seed) });
    }
    let mut hash = 0;
    while let Some(one) = tasks.join_next().await {
        hash ^= one.expect("a chunk does not panic");
    }
    assert_eq!(hash, expected_cached(items));
}

/// [`expected`], worked out once per size: the check must not cost a
/// second run of the work.
fn expected_cached(items: u64) -> u64 {
    static KNOWN: std::sync::Mutex<Vec<(u64, u64)>> = std::sync::Mutex::new(Vec::new());
    let mut known = KNOWN.lock().expect("the cache is not poisoned");
    if let Some(&(_, hash)) = known.iter().find(|(size, _)| *size == items) {
        return hash;
    }
    let hash = expected(items);
    known.push((items, hash));
    hash
}
