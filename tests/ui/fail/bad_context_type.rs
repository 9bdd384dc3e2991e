//! A step whose context parameter is not `&Context<Self>` (here a context
//! taken by value). The error points at the parameter's type.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ctx: Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
