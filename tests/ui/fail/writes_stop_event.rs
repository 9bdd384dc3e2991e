//! A step that declares it writes the stop event to the stream, where it
//! would not end the run. The error points at `writes`.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(writes(StopEvent<String>))]
        async fn only(&self, _ev: StartEvent) -> StopEvent<String> {
            StopEvent::new(String::new())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
