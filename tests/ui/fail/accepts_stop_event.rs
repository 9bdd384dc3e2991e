//! A step that accepts a stop event: a stop event ends the run and never
//! reaches a step. The error points at the event type.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step]
        async fn after_stop(&self, _ev: StopEvent<String>) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
