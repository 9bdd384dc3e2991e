//! `#[step]` on a method of an ordinary `impl` block, outside `workflow!` and
//! `#[workflow_impl]`. The error points at the attribute.

use typed_workflows::prelude::*;

struct W;

impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
        Ok(StopEvent::new(String::new()))
    }
}

fn main() {}
