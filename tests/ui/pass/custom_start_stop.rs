//! A workflow with its own start event (`#[event(start)]`) and its own stop
//! event (`#[event(stop)]`): awaiting the handler yields the stop event.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(stop)]
struct Finished {
    doubled: u32,
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn double(&self, begin: Begin) -> Result<Finished> {
            Ok(Finished { doubled: begin.n * 2 })
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(Begin { n: 21 }).await.unwrap();
    assert_eq!(finished.doubled, 42);
}
