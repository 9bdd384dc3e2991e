//! Two event types of one workflow given one name, `Hop`: a run records its
//! events by name, and could not tell them apart. The error is at the step
//! that uses the second type, and names both steps and the name.

use typed_workflows::prelude::*;

#[event(name = "Hop")]
struct Jump;

#[event(name = "Hop")]
struct Skip;

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Jump {
        Jump
    }

    #[step]
    async fn middle(&self, _ev: Jump) -> Skip {
        Skip
    }

    #[step]
    async fn finish(&self, _ev: Skip) -> StopEvent<u32> {
        StopEvent::new(1)
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
