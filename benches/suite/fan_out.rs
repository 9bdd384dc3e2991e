//! *fan-out / fan-in*: a step sends `items` events to a step with eight
//! workers, and a collector gathers all of them before the run stops.
//! Measures the cost of one item through the three steps.
//!
//! The typed fan-out is the same work with the routing in the types: a
//! step returns a `Vec<Item>`, each item goes to the worker step, and a
//! step that takes `Vec<Done>` gathers them.
//!
//! Two hand-written versions: eight worker tasks fed round-robin through
//! channels (the baseline of issue 6), and the strongest program of the
//! same shape as one run, one task driving eight futures at a time.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use tokio::sync::{mpsc, oneshot};
use typed_workflows::prelude::*;
use typed_workflows::store::Store;

/// How many invocations of the worker step may overlap, in both versions.
pub const WORKERS: usize = 8;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Item {
    value: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Done {
    value: u64,
}

struct FanOut {
    items: u64,
}

workflow! {
    impl FanOut {
        #[step(sends(Item))]
        async fn split(&self, ctx: &Context<Self>, _start: StartEvent) {
            for value in 0..self.items {
                ctx.send_event(Item { value });
            }
        }

        #[step(num_workers = 8)]
        async fn work(&self, item: Item) -> Done {
            double(item)
        }

        #[step]
        async fn gather(&self, ctx: &Context<Self>, done: Done) -> Option<StopEvent<u64>> {
            let all = ctx.collect_events(done, self.items as usize)?;
            Some(StopEvent::new(all.iter().map(|done| done.value).sum()))
        }
    }
}

/// The work on one item, the same in every version.
fn double(item: Item) -> Done {
    Done {
        value: item.value * 2,
    }
}

struct TypedFanOut {
    items: u64,
}

workflow! {
    impl TypedFanOut {
        #[step]
        async fn split(&self, _start: StartEvent) -> Vec<Item> {
            (0..self.items).map(|value| Item { value }).collect()
        }

        #[step(num_workers = 8)]
        async fn work(&self, item: Item) -> Done {
            double(item)
        }

        #[step]
        async fn gather(&self, all: Vec<Done>) -> StopEvent<u64> {
            StopEvent::new(all.iter().map(|done| done.value).sum())
        }
    }
}

/// What every version must add up to.
fn expected_sum(items: u64) -> u64 {
    items * items.saturating_sub(1)
}

/// `items` items through a workflow.
pub async fn ours(items: u64) {
    through(FanOut { items }.runner(), items).await;
}

/// `items` items through a workflow whose run is recorded in `store`.
pub async fn durable(items: u64, store: Arc<dyn Store>) {
    through(FanOut { items }.runner().durable(store), items).await;
}

/// `items` items through a run of `runner`.
async fn through(runner: Runner<FanOut>, items: u64) {
    let sum = runner
        .run(StartEvent::new())
        .await
        .expect("the fan-out runs to its stop event");
    assert_eq!(sum, expected_sum(items));
}

/// `items` items through the typed workflow: a `Vec` out, a `Vec` in.
pub async fn ours_typed(items: u64) {
    let sum = TypedFanOut { items }
        .runner()
        .run(StartEvent::new())
        .await
        .expect("the typed fan-out runs to its stop event");
    assert_eq!(sum, expected_sum(items));
}

/// The worker of [`in_one_task`]: an async function, as a step is.
async fn work_by_hand(item: Item) -> Done {
    double(item)
}

/// `items` items through one task that keeps eight futures of the worker
/// going at a time (`buffer_unordered`, a `FuturesUnordered` inside) and
/// gathers their results into one vector.
pub async fn in_one_task(items: u64) {
    let task = tokio::spawn(async move {
        let all: Vec<Done> = stream::iter((0..items).map(|value| Item { value }))
            .map(work_by_hand)
            .buffer_unordered(WORKERS)
            .collect()
            .await;
        all.iter().map(|done| done.value).sum::<u64>()
    });
    assert_eq!(task.await.expect("the task finishes"), expected_sum(items));
}

/// `items` items dealt round-robin to eight worker tasks, whose results a
/// collector task gathers into one vector.
pub async fn by_hand(items: u64) {
    let (results, mut gathered) = mpsc::unbounded_channel::<Done>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (sender, mut receiver) = mpsc::unbounded_channel::<Item>();
            let results = results.clone();
            tokio::spawn(async move {
                while let Some(item) = receiver.recv().await {
                    let _ = results.send(double(item));
                }
            });
            sender
        })
        .collect();
    drop(results);
    let (done, sum) = oneshot::channel();
    tokio::spawn(async move {
        let mut all = Vec::new();
        while let Some(result) = gathered.recv().await {
            all.push(result);
            if all.len() as u64 == items {
                break;
            }
        }
        let _ = done.send(all.iter().map(|done| done.value).sum::<u64>());
    });
    for value in 0..items {
        workers[value as usize % WORKERS]
            .send(Item { value })
            .expect("the workers are running");
    }
    drop(workers);
    assert_eq!(
        sum.await.expect("the collector finishes"),
        expected_sum(items)
    );
}
