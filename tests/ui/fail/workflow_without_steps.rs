//! A workflow block with no `#[step]` method. The error points at the
//! workflow type.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        async fn helper(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
