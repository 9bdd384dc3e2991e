//! *chain*: one step re-emits an event to itself `hops` times, then stops.
//! Measures the cost of one hop from a step to the next.
//!
//! Two hand-written versions: a task that sends each hop to its own channel
//! (the baseline of issue 6), and the strongest program of the same shape,
//! a loop inside one task that calls the step function and matches its
//! result.

use std::hint::black_box;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use typed_workflows::prelude::*;
use typed_workflows::store::Store;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin {
    hops: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop {
    remaining: u64,
}

#[derive(OneOf)]
enum Next {
    Hop(Hop),
    Stop(StopEvent<u64>),
}

struct Chain;

workflow! {
    impl Chain {
        #[step]
        async fn begin(&self, begin: Begin) -> Hop {
            Hop { remaining: begin.hops }
        }

        #[step]
        async fn hop(&self, hop: Hop) -> Next {
            match hop.remaining {
                0 => Next::Stop(StopEvent::new(0)),
                remaining => Next::Hop(Hop { remaining: remaining - 1 }),
            }
        }
    }
}

/// `hops` hops through a workflow.
pub async fn ours(hops: u64) {
    through(Chain.runner(), hops).await;
}

/// `hops` hops through a workflow whose run is recorded in `store`: a
/// commit per hop, each invocation being a round of its own.
pub async fn durable(hops: u64, store: Arc<dyn Store>) {
    through(Chain.runner().durable(store), hops).await;
}

/// `hops` hops through a run of `runner`.
async fn through(runner: Runner<Chain>, hops: u64) {
    let stopped = runner
        .run(Begin { hops })
        .await
        .expect("the chain runs to its stop event");
    assert_eq!(stopped, 0);
}

/// `hops` hops through a task that receives from its own channel and sends
/// the next event back into it.
pub async fn by_hand(hops: u64) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let (done, stopped) = oneshot::channel();
    let to_self = sender.clone();
    tokio::spawn(async move {
        while let Some(Hop { remaining }) = receiver.recv().await {
            if remaining == 0 {
                let _ = done.send(remaining);
                return;
            }
            to_self
                .send(Hop {
                    remaining: remaining - 1,
                })
                .expect("the step holds its own receiver");
        }
    });
    sender
        .send(Hop { remaining: hops })
        .expect("the step is running");
    assert_eq!(stopped.await.expect("the step stops"), 0);
}

/// What the hand-written step decides: hop again, or stop with a result.
enum Decision {
    Hop(Hop),
    Stop(u64),
}

/// The step of [`in_one_task`], the same decision as the workflow's `hop`.
/// `black_box` keeps the compiler from folding the loop into one step.
async fn hop_by_hand(hop: Hop) -> Decision {
    match black_box(hop.remaining) {
        0 => Decision::Stop(0),
        remaining => Decision::Hop(Hop {
            remaining: remaining - 1,
        }),
    }
}

/// `hops` hops as a loop inside one task, calling the step function and
/// matching its result.
pub async fn in_one_task(hops: u64) {
    let task = tokio::spawn(async move {
        let mut hop = Hop { remaining: hops };
        loop {
            match hop_by_hand(hop).await {
                Decision::Hop(next) => hop = next,
                Decision::Stop(result) => return result,
            }
        }
    });
    assert_eq!(task.await.expect("the loop finishes"), 0);
}
