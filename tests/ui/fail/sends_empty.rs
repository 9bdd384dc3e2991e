//! `#[step(sends())]` listing no event. The error points at `sends`.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(sends())]
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
