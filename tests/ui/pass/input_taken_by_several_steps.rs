//! Input events taken by several steps, and by one step under two
//! spellings, may all be sent by the run's caller: to every step, or to
//! one.

use typed_workflows::prelude::*;
use typed_workflows::HumanResponseEvent;

type Answer = HumanResponseEvent;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(input)]
struct Vote {
    yes: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Counted {
    n: usize,
}

struct W;

workflow! {
    impl W {
        #[step(waits_for(HumanResponseEvent, Answer))]
        async fn twice(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Counted> {
            let first = ctx.wait_for_event::<HumanResponseEvent>().await?;
            let second = ctx.wait_for_event::<Answer>().await?;
            Ok(Counted { n: first.response.len() + second.response.len() })
        }

        #[step(waits_for(crate::Answer))]
        async fn once(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Counted> {
            Ok(Counted { n: ctx.wait_for_event::<Answer>().await?.response.len() })
        }

        #[step]
        async fn aye(&self, vote: Vote) -> Counted {
            Counted { n: usize::from(vote.yes) }
        }

        #[step]
        async fn nay(&self, vote: Vote) -> Counted {
            Counted { n: usize::from(!vote.yes) }
        }

        #[step]
        async fn tally(&self, ctx: &Context<Self>, ev: Counted) -> Option<StopEvent<usize>> {
            Some(StopEvent::new(ctx.collect_events(ev, 3)?.iter().map(|c| c.n).sum()))
        }
    }
}

#[tokio::main]
async fn main() {
    let handler = W.runner().run(StartEvent::new());
    handler.send_event(Answer { response: "ab".into() }).unwrap();
    handler.send_event_to("twice", HumanResponseEvent { response: "c".into() }).unwrap();
    handler.send_event_to("aye", Vote { yes: true }).unwrap();
    // "ab" to both waits that began, "c" to the second wait of `twice`,
    // the vote to `aye` alone.
    assert_eq!(handler.await.unwrap(), 2 + 1 + 2 + 1);
}
