//! The shapes a step may return: a `#[derive(OneOf)]` enum, an `Option`, and
//! `()` from a step that sends its events through the context instead.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Count {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Tick {
    n: u32,
}

#[derive(Debug, OneOf)]
enum Next {
    Again(Count),
    Done(StopEvent<u32>),
}

struct W;

workflow! {
    impl W {
        #[step(sends(Tick))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
            ctx.send_event(Tick { n: 0 });
            Ok(())
        }

        #[step]
        async fn filter(&self, tick: Tick) -> Result<Option<Count>> {
            Ok(Some(Count { n: tick.n }))
        }

        #[step]
        async fn count(&self, count: Count) -> Result<Next> {
            if count.n < 3 {
                Ok(Next::Again(Count { n: count.n + 1 }))
            } else {
                Ok(Next::Done(StopEvent::new(count.n)))
            }
        }
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 3);
}
