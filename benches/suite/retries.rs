//! *retries*: `count` one-step runs started at once, whose step fails
//! twice and then succeeds, retried without delay
//! (`RetryPolicy::fixed(Duration::ZERO)`). Measures the cost of a run whose
//! step takes three attempts, against a hand-written retry loop in a task;
//! and, with the runs one after another, its latency, which a wait between
//! attempts adds to and other runs cannot hide.

use std::time::Duration;

use typed_workflows::RetryPolicy;
use typed_workflows::prelude::*;

/// The attempt that succeeds; the ones before it fail.
const ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Try {
    run: u64,
}

struct Flaky;

workflow! {
    impl Flaky {
        #[step(retry = RetryPolicy::fixed(Duration::ZERO).max_attempts(ATTEMPTS))]
        async fn flaky(&self, ctx: &Context<Self>, ask: Try) -> Result<StopEvent<u64>> {
            attempt(ctx.attempt(), ask.run).await.map(StopEvent::new)
        }
    }
}

/// Attempt `number` of the step of run `run`: fails until the last, which
/// gives the run and the number of attempts it took.
async fn attempt(number: u32, run: u64) -> Result<u64> {
    if number < ATTEMPTS {
        anyhow::bail!("the attempt fails");
    }
    Ok(run + u64::from(number))
}

/// What run `run` must end with.
fn expected(run: u64) -> u64 {
    run + u64::from(ATTEMPTS)
}

/// `count` runs of the flaky workflow, all started before any is awaited.
pub async fn ours(count: u64) {
    let runner = Flaky.runner();
    let handlers: Vec<_> = (0..count).map(|run| runner.run(Try { run })).collect();
    for (run, handler) in (0..count).zip(handlers) {
        let result = handler.await.expect("the third attempt succeeds");
        assert_eq!(result, expected(run));
    }
}

/// The hand-written retry loop: the next attempt at once, as the delay is
/// zero, until one succeeds or the last fails.
async fn retry_by_hand(run: u64) -> Result<u64> {
    let mut number = 1;
    loop {
        match attempt(number, run).await {
            Err(_) if number < ATTEMPTS => number += 1,
            ended => return ended,
        }
    }
}

/// `count` tasks, each running the retry loop, all spawned before any is
/// awaited.
pub async fn by_hand(count: u64) {
    let tasks: Vec<_> = (0..count)
        .map(|run| tokio::spawn(retry_by_hand(run)))
        .collect();
    for (run, task) in (0..count).zip(tasks) {
        let result = task.await.expect("the task finishes");
        assert_eq!(result.expect("the third attempt succeeds"), expected(run));
    }
}

/// `count` runs of the flaky workflow, one after another.
pub async fn ours_in_turn(count: u64) {
    let runner = Flaky.runner();
    for run in 0..count {
        let result = runner
            .run(Try { run })
            .await
            .expect("the third attempt succeeds");
        assert_eq!(result, expected(run));
    }
}

/// `count` tasks running the retry loop, one after another.
pub async fn by_hand_in_turn(count: u64) {
    for run in 0..count {
        let result = tokio::spawn(retry_by_hand(run))
            .await
            .expect("the task finishes");
        assert_eq!(result.expect("the third attempt succeeds"), expected(run));
    }
}
