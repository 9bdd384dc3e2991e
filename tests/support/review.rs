//! A workflow the tests of durable runs share: it drafts with an effect
//! and asks a question, counting what ran.

use std::sync::atomic::{AtomicU32, Ordering};

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
