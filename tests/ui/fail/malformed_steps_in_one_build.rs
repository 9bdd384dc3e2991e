//! Several signature errors in one workflow are all reported in one build:
//! a step that is not async, an unknown step option, and an event taken by
//! reference.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step(retries = 3)]
        async fn second(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step]
        async fn third(&self, _ev: &StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
