//! `ctx.send_event` of a type that the step does not declare in
//! `#[step(sends(...))]`, although another step accepts it. The error points
//! at the `send_event` call.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Ping> {
            ctx.send_event(Ping);
            Ok(Ping)
        }

        #[step]
        async fn finish(&self, _ev: Ping) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
