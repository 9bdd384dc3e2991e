//! `#[workflow_impl(...)]` with arguments: it takes none. The error points at
//! the arguments.

use workflows::prelude::*;

struct W;

#[workflow_impl(num_workers = 2)]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<StopEvent<String>> {
        Ok(StopEvent::new(String::new()))
    }
}

fn main() {}
