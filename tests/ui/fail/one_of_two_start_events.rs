//! A `#[derive(OneOf)]` enum that holds two different start events: a
//! workflow has one start event type. The error points at the enum's name,
//! once, and the workflow that takes the enum sees none.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin;

#[derive(OneOf)]
enum Entry {
    Default(StartEvent),
    Own(Begin),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn only(&self, _ev: Entry) -> StopEvent<()> {
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
