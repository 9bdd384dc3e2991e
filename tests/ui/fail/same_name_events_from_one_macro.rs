//! One `macro_rules!` call makes two distinct events named `Hop` in one
//! module: one at the top, one inside a function. They used to share one
//! identity (the call's place), so the checks saw one event and the run
//! stalled; now each has its own, and the graph's break is an error, as is
//! the name the two share.

use typed_workflows::prelude::*;

macro_rules! scenario {
    () => {
        #[derive(Debug, Clone, Serialize, Deserialize, Event)]
        pub struct Hop;

        pub async fn run() -> u32 {
            #[derive(Debug, Clone, Serialize, Deserialize, Event)]
            struct Hop;

            struct W;

            #[workflow_impl]
            impl W {
                #[step]
                async fn begin(&self, _ev: StartEvent) -> Result<crate::Hop> {
                    Ok(crate::Hop)
                }

                #[step]
                async fn finish(&self, _ev: Hop) -> Result<StopEvent<u32>> {
                    Ok(StopEvent::new(1))
                }
            }

            W.runner().run(StartEvent::new()).await.unwrap()
        }
    };
}

scenario!();

#[tokio::main]
async fn main() {
    println!("{}", run().await);
}
