//! Two recovery steps that both name `fetch` in `catches(...)`: a step's
//! failures go to one step. The error points at the second `fetch`.

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
        async fn retry_later(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }

        #[step(catches(fetch))]
        async fn give_up(&self, _failed: StepFailedEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
