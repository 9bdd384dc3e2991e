//! A step that accepts one of several events (a `#[derive(OneOf)]` enum),
//! one of which no step returns or sends: the same error as for a step
//! that takes that event alone, on the step's event type. The step is
//! reachable through its other variant, so that is the only error.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Produced;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Orphan;

#[derive(OneOf)]
enum Either {
    Produced(Produced),
    Orphan(Orphan),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Produced {
            Produced
        }

        #[step]
        async fn either(&self, _ev: Either) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
