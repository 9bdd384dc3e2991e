//! A live run's lease: the run keeps it while it goes on without a record
//! (a long step, or a wait with its handler held), and lets go of it when
//! it is suspended, for another worker to take up at once.
//!
//! The store's clock here is tokio's, paused, so that time passes for the
//! leases exactly as the test advances it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use typed_workflows::prelude::*;
use typed_workflows::store::{Clock, MemoryStore, Owner, StatusKind, Store, StoreError};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};

#[path = "support/review.rs"]
mod review;

use review::Review;

/// The store's time as tokio's: it stands still while tokio's clock is
/// paused and moves as the test advances it.
struct TokioClock {
    base: tokio::time::Instant,
    at: SystemTime,
}

impl TokioClock {
    fn new() -> Self {
        Self {
            base: tokio::time::Instant::now(),
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.at + self.base.elapsed()
    }
}

const LEASE: Duration = Duration::from_secs(10);

/// A run of `Review` at its question, leased to worker `a` for [`LEASE`],
/// its handler held.
async fn held_at_the_question(
    store: &Arc<MemoryStore>,
) -> (Runner<Review>, WorkflowHandler<Review>) {
    let runner = Review::default()
        .runner()
        .without_timeout()
        .durable(store.clone())
        .worker("a")
        .lease(LEASE);
    let mut handler = runner.run(StartEvent::new());
    let question = handler.stream_events().unwrap().next().await.unwrap();
    assert!(question.is::<InputRequiredEvent>());
    (runner, handler)
}

#[tokio::test(start_paused = true)]
async fn a_run_keeps_its_lease_while_it_waits_past_it_with_its_handler_held() {
    let store = Arc::new(MemoryStore::with_clock(TokioClock::new()));
    let (runner, handler) = held_at_the_question(&store).await;
    let run = handler.run_id();

    // Three and a half leases with no record written: the run renews its
    // lease as half of it goes.
    tokio::time::sleep(LEASE * 7 / 2).await;
    match store.claim(run, &Owner::new("b", LEASE)).await {
        Err(StoreError::LeaseHeld { owner, .. }) => assert_eq!(owner, "a"),
        other => panic!(
            "another worker could take the run: {:?}",
            other.map(|claimed| claimed.lease)
        ),
    }

    handler
        .send_event(HumanResponseEvent {
            response: "yes".into(),
        })
        .unwrap();
    assert_eq!(handler.await.unwrap(), "a poem: yes");
    let (drafts, _, asks) = runner.workflow().ran();
    assert_eq!((drafts, asks), (1, 1), "nothing ran twice");
}

#[tokio::test(start_paused = true)]
async fn a_suspended_run_is_free_for_another_worker_at_once() {
    let store = Arc::new(MemoryStore::with_clock(TokioClock::new()));
    let (_, handler) = held_at_the_question(&store).await;
    let run = handler.run_id();
    handler.suspend().await.unwrap();

    // Its lease let go, not lapsed: no time has passed.
    let loaded = store.load(run).await.unwrap().unwrap();
    assert_eq!(loaded.meta.status.kind(), StatusKind::Running);
    let key = [loaded.meta.workflow.clone()];
    let taken = store
        .claim_ready(&Owner::new("b", LEASE), &key, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1, "the suspended run is ready for worker b");
    assert_eq!(taken[0].lease.run, run);
}
