//! Two steps end the run with stop events of different result types
//! (`StopEvent<String>` and `StopEvent<u32>`), so awaiting the handler would
//! have no one type. The error points at the workflow type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping;

#[derive(Debug, OneOf)]
enum Next {
    Ping(Ping),
    Done(StopEvent<String>),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<Next> {
            Ok(Next::Ping(Ping))
        }

        #[step]
        async fn finish(&self, _ev: Ping) -> Result<StopEvent<u32>> {
            Ok(StopEvent::new(0))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
