//! A step that waits for an event that is not an input event: only the
//! run's caller sends what a step waits for. The error points at
//! `waits_for`.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Answer {
    text: String,
}

struct W;

workflow! {
    impl W {
        #[step(waits_for(Answer))]
        async fn ask(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            Ok(StopEvent::new(()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
