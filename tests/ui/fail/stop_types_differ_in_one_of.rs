//! One `#[derive(OneOf)]` enum holds two stop events of different result
//! types (`StopEvent<String>` and `StopEvent<u32>`): a workflow has one stop
//! type. One error, on the enum's name; the workflow that returns the enum
//! sees none.

use typed_workflows::prelude::*;

#[derive(Debug, OneOf)]
enum Done {
    Text(StopEvent<String>),
    Number(StopEvent<u32>),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<Done> {
            Ok(Done::Number(StopEvent::new(0)))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
