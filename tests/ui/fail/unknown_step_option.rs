//! An unknown `#[step(...)]` option. The error points at the option and
//! lists the known ones.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(retries = 3)]
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
