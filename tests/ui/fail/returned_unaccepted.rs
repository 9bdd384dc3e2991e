//! An event that a step returns but no step accepts (and that is neither a
//! stop event nor `#[event(outbound)]`): it would go nowhere. The error points
//! at the return type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Lost;

#[derive(Debug, OneOf)]
enum Next {
    Lost(Lost),
    Done(StopEvent<String>),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<Next> {
            Ok(Next::Done(StopEvent::new(String::new())))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
