//! A step without a `self` parameter. The error points at the step's name.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(_ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
