//! `#[workflow_impl(...)]` with an option of a step: the workflow's options
//! are its own (`state = S`). The error points at the option.

use typed_workflows::prelude::*;

struct W;

#[workflow_impl(num_workers = 2)]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
        Ok(StopEvent::new(String::new()))
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
