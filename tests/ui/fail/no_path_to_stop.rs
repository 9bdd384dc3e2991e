//! No path leads from the start event to a stop event, so no run could
//! finish. The error points at the workflow type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<Ping> {
            Ok(Ping)
        }

        #[step]
        async fn echo(&self, _ev: Ping) -> Result<Option<Ping>> {
            Ok(None)
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
