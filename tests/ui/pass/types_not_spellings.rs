//! The graph checks compare types, not spellings: `ev::A`, `crate::ev::A` and
//! an alias of `ev::A` are one event, so this workflow has no unaccepted or
//! unproduced event.

use typed_workflows::prelude::*;

mod ev {
    use typed_workflows::prelude::*;

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    pub struct A {
        pub n: u32,
    }

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    pub struct B {
        pub n: u32,
    }
}

use ev::B;

type Alias = ev::A;

struct W;

workflow! {
    impl W {
        #[step(sends(Alias))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<ev::A> {
            ctx.send_event(ev::A { n: 1 });
            Ok(Alias { n: 2 })
        }

        #[step]
        async fn middle(&self, a: crate::ev::A) -> Result<B> {
            Ok(B { n: a.n })
        }

        #[step]
        async fn finish(&self, b: crate::ev::B) -> Result<StopEvent<u32>> {
            Ok(StopEvent::new(b.n))
        }
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    assert!(n == 1 || n == 2);
}
