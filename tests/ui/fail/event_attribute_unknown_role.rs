//! `#[event(strat)]`: the role is checked by the `Event` derive that the
//! attribute adds, so the typo gets one error, on `strat`, with the role it
//! was probably meant to be.

use typed_workflows::prelude::*;

#[event(strat)]
struct Begin {
    n: u32,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn only(&self, begin: Begin) -> StopEvent<u32> {
        StopEvent::new(begin.n)
    }
}

#[tokio::main]
async fn main() {
    let _ = W.runner().run(Begin { n: 1 }).await;
}
