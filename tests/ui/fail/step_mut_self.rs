//! A step that takes `&mut self`: concurrent steps share the workflow value,
//! so a step takes `&self`. The error points at `&mut self`.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&mut self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
