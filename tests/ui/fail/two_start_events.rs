//! Two steps accept different start events (the built-in `StartEvent` and an
//! `#[event(start)]` one): a workflow has one start event type. The error
//! points at the workflow type.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
struct Begin;

struct W;

workflow! {
    impl W {
        #[step]
        async fn from_builtin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }

        #[step]
        async fn from_custom(&self, _ev: Begin) -> Result<StopEvent<String>> {
            Ok(StopEvent::new(String::new()))
        }
    }
}

fn main() {}
