//! The forms of a step's signature that Rust allows beside the plain one:
//! named lifetimes, `self: &Self`, and a `where` clause.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct One {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Two {
    n: u32,
}

struct W {
    base: u32,
}

#[workflow_impl]
impl W {
    #[step]
    async fn named<'a>(&'a self, _ctx: &'a Context<Self>, _ev: StartEvent) -> Result<One> {
        Ok(One { n: self.base })
    }

    #[step]
    async fn typed_self(self: &Self, ev: One) -> Result<Two> {
        Ok(Two { n: ev.n + 1 })
    }

    #[step]
    async fn bounded(&self, ev: Two) -> Result<StopEvent<u32>>
    where
        Self: Sync,
    {
        Ok(StopEvent::new(ev.n + 1))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W { base: 40 }.runner().run(StartEvent::new()).await.unwrap(), 42);
}
