//! A step under `#[cfg(...)]` is in the workflow only where it is compiled:
//! configured out, it leaves the step table, the routing and the graph
//! checks, and the indices of the steps after it close up.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Middle {
    n: u32,
}

#[cfg(any())]
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct OnlyWhenConfigured;

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<Middle> {
        Ok(Middle { n: 1 })
    }

    // Configured out: its event does not even exist, and nothing produces it.
    #[cfg(any())]
    #[step]
    async fn absent(&self, _ev: OnlyWhenConfigured) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(0))
    }

    #[cfg(all())]
    #[step(sends(Middle))]
    async fn present(&self, ctx: &Context<Self>, ev: Middle) -> Result<Option<StopEvent<u32>>> {
        if ev.n < 3 {
            ctx.send_event(Middle { n: ev.n + 1 });
            return Ok(None);
        }
        Ok(Some(StopEvent::new(ev.n)))
    }
}

struct Attributes;

workflow! {
    impl Attributes {
        #[cfg(any())]
        #[step]
        async fn gone(&self, _ev: StartEvent) -> Result<StopEvent<u32>> {
            Ok(StopEvent::new(0))
        }

        #[step]
        async fn only(&self, _ev: StartEvent) -> Result<StopEvent<u32>> {
            Ok(StopEvent::new(7))
        }
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 3);
    let names: Vec<&str> = W::STEPS.iter().map(|step| step.name).collect();
    assert_eq!(names, ["begin", "present"]);
    assert_eq!(Attributes.runner().run(StartEvent::new()).await.unwrap(), 7);
    assert_eq!(Attributes::STEPS.len(), 1);
}
