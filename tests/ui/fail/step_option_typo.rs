//! A typo in a step option, `send(...)` for `sends(...)`: one error, which
//! asks "did you mean `sends`?"; the option is then read as `sends`, so the
//! `ctx.send_event` in the body causes no second error.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Mid {
    n: u32,
}

struct W;

#[workflow_impl]
impl W {
    #[step(send(Mid))]
    async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
        ctx.send_event(Mid { n: 1 });
        Ok(())
    }

    #[step]
    async fn finish(&self, ev: Mid) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(ev.n))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
