//! A recovery step that does not take the `StepFailedEvent` its failures
//! come as. The error points at the event it takes.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Page;

struct W;

workflow! {
    impl W {
        #[step]
        async fn fetch(&self, _ev: StartEvent) -> Result<Page> {
            Ok(Page)
        }

        #[step(catches(fetch))]
        async fn recover(&self, _page: Page) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
