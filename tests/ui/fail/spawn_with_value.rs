//! `#[step(spawn)]` is a flag: written with a value, it is an error on the
//! option, which says how to write it; the step is still spawned.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(spawn = true)]
        async fn only(&self, _ev: StartEvent) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
