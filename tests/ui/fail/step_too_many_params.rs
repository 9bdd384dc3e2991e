//! A step with a parameter after the context and the event. The error points
//! at the extra parameter.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(
            &self,
            _ctx: &Context<Self>,
            _ev: StartEvent,
            _extra: u32,
        ) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
