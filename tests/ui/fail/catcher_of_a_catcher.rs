//! A recovery step that catches another recovery step: the failures of a
//! step that catches failures fail the run. The error points at `rescue`
//! in `catches(...)`.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

struct W;

workflow! {
    impl W {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            anyhow::bail!("offline")
        }

        #[step(catches(fetch))]
        async fn rescue(&self, _failed: StepFailedEvent) -> Result<StopEvent<()>> {
            anyhow::bail!("still offline")
        }

        #[step(catches(rescue))]
        async fn rescue_the_rescue(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
