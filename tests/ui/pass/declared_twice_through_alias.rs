//! Declaring one event twice, under two spellings, is redundant but valid:
//! `sends(A, Alias)`, `writes(Progress, Shown)` and `waits_for` alike.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct A {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Progress;

type Alias = A;
type Shown = Progress;

struct W;

#[workflow_impl]
impl W {
    #[step(sends(A, Alias, crate::A), writes(Progress, Shown))]
    async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
        ctx.write_event_to_stream(Progress);
        ctx.send_event(Alias { n: 5 });
        Ok(())
    }

    #[step]
    async fn finish(&self, a: A) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(a.n))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 5);
}
