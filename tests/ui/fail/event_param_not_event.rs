//! A step whose event parameter is a type that does not derive `Event`. The
//! error points at that type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Plain;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: Plain) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
