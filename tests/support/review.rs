//! A workflow the tests of durable runs share: it drafts with an effect
//! and asks a question, counting what ran; and how a test parks a run of it.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use typed_workflows::RunId;
use typed_workflows::store::{Change, StatusKind, Store};

use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};

#[event]
pub struct Drafted {
    pub text: String,
}

/// Drafts (an effect that must not be paid twice), then asks whether to
/// keep the draft; counts how often each part ran.
#[derive(Default)]
pub struct Review {
    pub drafts: AtomicU32,
    pub effects: AtomicU32,
    pub asks: AtomicU32,
}

impl Review {
    /// How many times the draft step, its effect and the question ran.
    pub fn ran(&self) -> (u32, u32, u32) {
        (
            self.drafts.load(Ordering::SeqCst),
            self.effects.load(Ordering::SeqCst),
            self.asks.load(Ordering::SeqCst),
        )
    }
}

#[workflow_impl]
impl Review {
    #[step]
    async fn draft(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<Drafted> {
        self.drafts.fetch_add(1, Ordering::SeqCst);
        let text = ctx
            .once(async {
                self.effects.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>("a poem".to_owned())
            })
            .await?;
        Ok(Drafted { text })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, drafted: Drafted) -> Result<StopEvent<String>> {
        self.asks.fetch_add(1, Ordering::SeqCst);
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: format!("keep {}?", drafted.text),
            })
            .await?;
        Ok(StopEvent::new(format!(
            "{}: {}",
            drafted.text, answer.response
        )))
    }
}

/// Waits until the store says that `run`'s status is `status`.
pub async fn until_status(store: &dyn Store, run: RunId, status: StatusKind) {
    let mut notices = store.notices();
    loop {
        let loaded = store.load(run).await.unwrap().unwrap();
        if loaded.meta.status.kind() == status {
            return;
        }
        // A hint that something changed; the loop reads the store again.
        let notice = notices.recv().await.unwrap();
        assert!(notice.run != run || notice.what != Change::Created);
    }
}

/// Starts a run, waits for its question, and lets go of its handler; it
/// parks. Returns its id.
pub async fn parked_at_the_question(runner: &Runner<Review>, store: &dyn Store) -> RunId {
    let mut handler = runner.run(StartEvent::new());
    let run = handler.run_id();
    let question = handler.stream_events().unwrap().next().await.unwrap();
    assert!(question.is::<InputRequiredEvent>());
    drop(handler);
    until_status(store, run, StatusKind::Parked).await;
    run
}
