//! An event in the middle of a chain that is not an event: `Mid` lacks
//! `#[derive(Event)]`. One error, at the first place the workflow names it.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Mid {
    n: u32,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<Mid> {
        Ok(Mid { n: 1 })
    }

    #[step]
    async fn finish(&self, ev: Mid) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(ev.n))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
