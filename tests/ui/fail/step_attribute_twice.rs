//! `#[step]` given twice on one method. The error points at the second
//! attribute.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        #[step(num_workers = 2)]
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
