//! A step that is not an `async fn`. The error points at `fn`.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
