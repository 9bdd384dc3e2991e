//! *sends*: one step sends `events` events with `ctx.send_event` to a
//! step of one worker, which adds them up and stops the run at the last.
//! Measures the time per event and the peak heap per event: what a step
//! sends is held until it returns.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;
use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Sent {
    value: u64,
}

struct Sends {
    events: u64,
    taken: AtomicU64,
    sum: AtomicU64,
}

workflow! {
    impl Sends {
        #[step(sends(Sent))]
        async fn send(&self, ctx: &Context<Self>, _start: StartEvent) {
            for value in 0..self.events {
                ctx.send_event(Sent { value });
            }
        }

        #[step(num_workers = 1)]
        async fn take(&self, sent: Sent) -> Option<StopEvent<u64>> {
            let sum = self.sum.fetch_add(sent.value, Ordering::Relaxed) + sent.value;
            let taken = self.taken.fetch_add(1, Ordering::Relaxed) + 1;
            (taken == self.events).then(|| StopEvent::new(sum))
        }
    }
}

/// What both versions must add up to.
fn expected_sum(events: u64) -> u64 {
    events * events.saturating_sub(1) / 2
}

/// `events` events sent from one step to another in a workflow.
pub async fn ours(events: u64) {
    let workflow = Sends {
        events,
        taken: AtomicU64::new(0),
        sum: AtomicU64::new(0),
    };
    let sum = workflow
        .runner()
        .run(StartEvent::new())
        .await
        .expect("the last event stops the run");
    assert_eq!(sum, expected_sum(events));
}

/// `events` events sent from one task to another through an unbounded
/// channel.
pub async fn by_hand(events: u64) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let taker = tokio::spawn(async move {
        let (mut taken, mut sum) = (0, 0);
        while let Some(Sent { value }) = receiver.recv().await {
            sum += value;
            taken += 1;
            if taken == events {
                break;
            }
        }
        sum
    });
    tokio::spawn(async move {
        for value in 0..events {
            let _ = sender.send(Sent { value });
        }
    });
    assert_eq!(
        taker.await.expect("the taker finishes"),
        expected_sum(events)
    );
}
