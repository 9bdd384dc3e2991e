//! A recovery step for a step the workflow does not have (a typo). The
//! error points at `catches` and lists the steps.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

struct W;

workflow! {
    impl W {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            anyhow::bail!("offline")
        }

        #[step(catches(fecth))]
        async fn recover(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
