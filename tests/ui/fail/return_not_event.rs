//! A step that returns a type that is not an event (nor a `OneOf` enum, an
//! `Option` of those, or `()`). The error points at the return type.

use typed_workflows::prelude::*;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<String> {
            Ok(String::new())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
