//! The run's caller sends an input event that no step of the workflow
//! waits for or accepts: nothing would ever take it. The error points at
//! the event sent.

use typed_workflows::prelude::*;
use typed_workflows::HumanResponseEvent;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(input)]
struct Feedback {
    stars: u8,
}

struct W;

workflow! {
    impl W {
        #[step(waits_for(HumanResponseEvent))]
        async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
            let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
            Ok(StopEvent::new(answer.response))
        }
    }
}

#[tokio::main]
async fn main() {
    let handler = W.runner().run(StartEvent::new());
    handler.send_event(Feedback { stars: 5 }).unwrap();
    println!("{:?}", handler.await.is_ok());
}
