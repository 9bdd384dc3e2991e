//! `spawn` given twice in one `#[step(...)]`: an error on the second.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step(spawn, num_workers = 8, spawn)]
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
