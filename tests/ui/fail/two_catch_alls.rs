//! Two steps that catch every step's failures, with `catches(*)`: a
//! failure goes to one step. The error points at the second `*`.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

struct W;

workflow! {
    impl W {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            anyhow::bail!("offline")
        }

        #[step(catches(*))]
        async fn log_it(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }

        #[step(catches(*))]
        async fn page_someone(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
