//! `#[workflow_impl(crate = 3)]`: `crate` takes a path. The error points at
//! the value, and the workflow is expanded through the default path, so
//! that its uses raise no second error.

use typed_workflows::prelude::*;

struct W;

#[workflow_impl(crate = 3)]
impl W {
    #[step]
    async fn only(&self, _start: StartEvent) -> StopEvent<u32> {
        StopEvent::new(1)
    }
}

#[tokio::main]
async fn main() {
    println!("{}", W.runner().run(StartEvent::new()).await.unwrap());
}
