//! A dead end: a step reachable from the start from which no path leads to a
//! stop event, so a run reaching it could only stall. The error points at the
//! step's name.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Detour;

#[derive(Debug, OneOf)]
enum Next {
    Detour(Detour),
    Done(StopEvent<String>),
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<Next> {
            Ok(Next::Detour(Detour))
        }

        #[step]
        async fn stuck(&self, _ev: Detour) -> Result<()> {
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
