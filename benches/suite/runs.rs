//! *runs*: `count` short two-step runs started at once, then all awaited.
//! Measures the cost of a whole run: start, two steps, result.

use typed_workflows::prelude::*;

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
    let runner = TwoSteps.runner();
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

/// `count` tasks, each calling the same two steps in turn, all spawned
/// before any is awaited.
pub async fn by_hand(count: u64) {
    let tasks: Vec<_> = (0..count)
        .map(|number| {
            tokio::spawn(async move { second_by_hand(first_by_hand(Ask { number }).await).await })
        })
        .collect();
    for (number, task) in (0..count).zip(tasks) {
        assert_eq!(task.await.expect("the task finishes"), (number + 1) * 2);
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
        let task =
            tokio::spawn(async move { second_by_hand(first_by_hand(Ask { number }).await).await });
        assert_eq!(task.await.expect("the task finishes"), (number + 1) * 2);
        checkpoint(number + 1);
    }
}
