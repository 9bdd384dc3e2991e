//! A public workflow whose start event is private: the workflow's
//! `Workflow::Start` would expose it. One error, on the event's type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin {
    n: u32,
}

pub struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, ev: Begin) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(ev.n))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(Begin { n: 1 }).await.unwrap();
    println!("{n}");
}
