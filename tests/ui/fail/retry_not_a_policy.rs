//! `retry = 3`: the option takes a `RetryPolicy`, built with its `const fn`s.
//! The error points at the value.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(retry = 3)]
        async fn only(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
            Ok(StopEvent::new(()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
