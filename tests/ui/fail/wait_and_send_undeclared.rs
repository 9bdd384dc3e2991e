//! `ctx.wait_for_event` of an event the step does not declare in
//! `waits_for(...)`, and `handler.send_event` of an event that is not an
//! input event. Each error points at the call.

use typed_workflows::prelude::*;
use typed_workflows::HumanResponseEvent;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Note {
    text: String,
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
            let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
            Ok(StopEvent::new(answer.response))
        }
    }
}

async fn caller() {
    let handler = W.runner().run(StartEvent::new());
    let _ = handler.send_event(Note { text: "hi".into() });
}

fn main() {
    let _ = caller();
}
