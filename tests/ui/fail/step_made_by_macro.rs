//! A step written by a `macro_rules!` call inside the workflow's block:
//! `#[workflow_impl]` runs before that macro, so it cannot see the step. One
//! error, on the step's attribute, saying to have the macro make the whole
//! `impl` block instead.

use typed_workflows::prelude::*;

macro_rules! finish_step {
    () => {
        #[step]
        async fn finish(&self, ev: StartEvent) -> Result<StopEvent<u32>> {
            let _ = ev;
            Ok(StopEvent::new(1))
        }
    };
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(0))
    }

    finish_step!();
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
