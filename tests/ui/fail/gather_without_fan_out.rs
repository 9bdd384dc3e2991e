//! A step that takes `Vec<Summary>`, which gathers the branches of a
//! fan-out, in a workflow where no step fans out. The error points at the
//! step's `Vec` parameter.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Summary {
    n: u32,
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn summarise(&self, _ev: StartEvent) -> Summary {
            Summary { n: 1 }
        }

        #[step]
        async fn combine(&self, summaries: Vec<Summary>) -> StopEvent<usize> {
            StopEvent::new(summaries.len())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
