//! A step that catches every other step's failures, beside one that
//! catches a named step's: each failure goes to one of them.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Page;

struct W;

workflow! {
    impl W {
        #[step]
        async fn open(&self, _ev: StartEvent) -> Result<Page> {
            Ok(Page)
        }

        #[step]
        async fn fetch(&self, _ev: Page) -> Result<StopEvent<String>> {
            anyhow::bail!("offline")
        }

        #[step(catches(fetch))]
        async fn cached(&self, failed: StepFailedEvent) -> StopEvent<String> {
            StopEvent::new(format!("cached, as {} failed", failed.step))
        }

        #[step(catches(*))]
        async fn anything_else(&self, failed: StepFailedEvent) -> StopEvent<String> {
            StopEvent::new(format!("{} failed", failed.step))
        }
    }
}

#[tokio::main]
async fn main() {
    let result = W.runner().run(StartEvent::new()).await.unwrap();
    assert_eq!(result, "cached, as fetch failed");
}
