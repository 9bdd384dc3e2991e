//! A `#[derive(OneOf)]` enum may hold one event twice, under two spellings
//! (`A` and an alias of it): `.into()` makes the first variant holding it.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct A {
    n: u32,
}

type Alias = A;

#[derive(Debug, OneOf)]
enum Next {
    First(A),
    Second(Alias),
    Done(StopEvent<u32>),
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<Next> {
        let next: Next = Alias { n: 1 }.into();
        assert!(matches!(next, Next::First(_)));
        Ok(next)
    }

    #[step]
    async fn again(&self, a: A) -> Result<Next> {
        Ok(if a.n < 3 {
            Next::Second(A { n: a.n + 1 })
        } else {
            StopEvent::new(a.n).into()
        })
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 3);
}
