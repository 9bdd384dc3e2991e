//! A state type that is not serde data: a run's state must be storable. The
//! error points at the state type.

use typed_workflows::prelude::*;

#[derive(Default)]
struct Tally {
    seen: u32,
}

struct W;

workflow! {
    #[workflow(state = Tally)]
    impl W {
        #[step]
        async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
            StopEvent::new(ctx.read_state(|tally| tally.seen))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
