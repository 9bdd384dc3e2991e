//! *runs*: `count` short two-step runs started at once, then all awaited.
//! Measures the cost of a whole run: start, two steps, result.
//!
//! Two hand-written versions: a bare task calling the two steps (the
//! baseline of issue 6), and a hand-written run with the features a
//! workflow run has (see `hand_run`).

use std::sync::Arc;

use typed_workflows::prelude::*;
use typed_workflows::store::Store;

use super::hand_run::{self, HandRun};

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
pub struct Ask {
    number: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
pub struct Halfway {
    number: u64,
}

/// The two-step workflow, public for the memory workloads that run it too.
pub struct TwoSteps;

workflow! {
    impl TwoSteps {
        #[step]
        async fn first(&self, ask: Ask) -> Halfway {
            Halfway { number: ask.number + 1 }
        }

        #[step]
        async fn second(&self, halfway: Halfway) -> StopEvent<u64> {
            StopEvent::new(halfway.number * 2)
        }
    }
}

/// `count` runs of a two-step workflow, all started before any is awaited.
pub async fn ours(count: u64) {
    all_at_once(TwoSteps.runner(), count).await;
}

/// `count` runs of the two-step workflow recorded in `store`, all started
/// before any is awaited.
pub async fn durable(count: u64, store: Arc<dyn Store>) {
    all_at_once(TwoSteps.runner().durable(store), count).await;
}

/// `count` runs of `runner`, all started before any is awaited.
async fn all_at_once(runner: Runner<TwoSteps>, count: u64) {
    let handlers: Vec<_> = (0..count)
        .map(|number| runner.run(Ask { number }))
        .collect();
    for (number, handler) in (0..count).zip(handlers) {
        let result = handler
            .await
            .expect("a two-step run ends with its stop event");
        assert_eq!(result, (number + 1) * 2);
    }
}

async fn first_by_hand(ask: Ask) -> Halfway {
    Halfway {
        number: ask.number + 1,
    }
}

async fn second_by_hand(halfway: Halfway) -> u64 {
    halfway.number * 2
}

/// The two steps by hand, one after the other.
async fn both_by_hand(number: u64) -> u64 {
    second_by_hand(first_by_hand(Ask { number }).await).await
}

/// `count` tasks, each calling the same two steps in turn, all spawned
/// before any is awaited.
pub async fn by_hand(count: u64) {
    let tasks: Vec<_> = (0..count)
        .map(|number| tokio::spawn(both_by_hand(number)))
        .collect();
    for (number, task) in (0..count).zip(tasks) {
        assert_eq!(task.await.expect("the task finishes"), (number + 1) * 2);
    }
}

/// `count` hand-written runs, each with an event stream, cancellation and
/// a timeout, calling the same two steps, all started before any is awaited.
pub async fn hand_runs(count: u64) {
    let runs: Vec<_> = (0..count)
        .map(|number| HandRun::start(both_by_hand(number), hand_run::TIMEOUT))
        .collect();
    for (number, run) in (0..count).zip(runs) {
        assert_eq!(run.finish().await, Ok((number + 1) * 2));
    }
}

/// `count` runs of the two-step workflow one after another; `checkpoint` is
/// called after each run with the number of runs done.
pub async fn ours_in_turn(count: u64, mut checkpoint: impl FnMut(u64)) {
    let runner = TwoSteps.runner();
    for number in 0..count {
        let result = runner
            .run(Ask { number })
            .await
            .expect("a two-step run ends with its stop event");
        assert_eq!(result, (number + 1) * 2);
        checkpoint(number + 1);
    }
}

/// `count` tasks calling the two steps, one after another; `checkpoint` is
/// called after each with the number of tasks done.
pub async fn by_hand_in_turn(count: u64, mut checkpoint: impl FnMut(u64)) {
    for number in 0..count {
        let task = tokio::spawn(both_by_hand(number));
        assert_eq!(task.await.expect("the task finishes"), (number + 1) * 2);
        checkpoint(number + 1);
    }
}
