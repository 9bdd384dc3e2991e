//! A step that takes its event before its context. One error, on the
//! context, saying in which order to write them.

use typed_workflows::prelude::*;

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, ev: StartEvent, ctx: &Context<Self>) -> Result<StopEvent<u32>> {
        let _ = (ev, ctx);
        Ok(StopEvent::new(1))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
