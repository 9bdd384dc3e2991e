//! Event types may be written through `Self`: `<Self as Events>::In` in a
//! parameter, `Self::Out`-style paths in `sends(...)`, `Self` in a `retry`
//! value. The macro copies them into items outside the `impl` block, where
//! it writes the workflow's type instead.

use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::RetryPolicy;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Request {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Reply {
    n: u32,
}

trait Events {
    type In;
    type Out;
}

struct W;

impl Events for W {
    type In = Request;
    type Out = Reply;
}

impl W {
    const RETRY: RetryPolicy = RetryPolicy::fixed(Duration::ZERO);
}

#[workflow_impl]
impl W {
    #[step(sends(<Self as Events>::Out))]
    async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<<Self as Events>::In> {
        ctx.send_event(Reply { n: 1 });
        Ok(Request { n: 2 })
    }

    #[step(retry = Self::RETRY)]
    async fn answer(&self, ev: <Self as Events>::In) -> Result<Reply> {
        Ok(Reply { n: ev.n * 10 })
    }

    #[step]
    async fn finish(&self, ev: <Self as Events>::Out) -> Result<Option<StopEvent<u32>>> {
        Ok((ev.n == 20).then(|| StopEvent::new(ev.n)))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 20);
}
