//! An event declared in `#[step(sends(...))]` that no step accepts: sending
//! it would go nowhere. The error points at `sends`.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Lost;

struct W;

workflow! {
    impl W {
        #[step(sends(Lost))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
            ctx.send_event(Lost);
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
