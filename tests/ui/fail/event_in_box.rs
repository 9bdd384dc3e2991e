//! A step that takes its event in a `Box`: a step takes the event itself.
//! One error, on the parameter's type, naming the event to take.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Big {
    payload: Vec<u8>,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<Big> {
        Ok(Big { payload: vec![0; 1024] })
    }

    #[step]
    async fn finish(&self, ev: Box<Big>) -> Result<StopEvent<usize>> {
        Ok(StopEvent::new(ev.payload.len()))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
