//! Several graph errors in one workflow are all reported in one build: an
//! accepted event that nothing produces, a returned event that nothing
//! accepts, and a step accepting a stop event.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Orphan;

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

        #[step]
        async fn never_runs(&self, _ev: Orphan) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step]
        async fn after_stop(&self, _ev: StopEvent<String>) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
