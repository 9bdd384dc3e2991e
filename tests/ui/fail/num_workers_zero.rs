//! `#[step(num_workers = 0)]`: a step needs at least one worker. The error
//! points at the `0`.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(num_workers = 0)]
        async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
