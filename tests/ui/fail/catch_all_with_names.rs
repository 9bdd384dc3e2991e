//! `catches(*)` mixed with a step's name: `*` already catches every step.
//! The error points at `*`.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

struct W;

workflow! {
    impl W {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            anyhow::bail!("offline")
        }

        #[step(catches(fetch, *))]
        async fn rescue(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
