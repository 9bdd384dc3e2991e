//! A typo in a step option, `num_worker` for `num_workers`: one error,
//! which asks "did you mean `num_workers`?".

use typed_workflows::prelude::*;

struct W;

#[workflow_impl]
impl W {
    #[step(num_worker = 2)]
    async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(1))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
