//! A step that can never run: its event is produced, but only by steps that
//! are themselves unreachable from the start event (here a loop of two steps
//! feeding each other). The errors point at the steps' names.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Pong;

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step]
        async fn ping(&self, _ev: Pong) -> Result<Ping> {
            Ok(Ping)
        }

        #[step]
        async fn pong(&self, _ev: Ping) -> Result<Pong> {
            Ok(Pong)
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
