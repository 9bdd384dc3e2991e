//! A step that returns a `Vec` of `Vec`s: a fan-out of fan-outs. One error,
//! on the return type, which `cargo check` reports too (not only a build).

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Job {
    n: u32,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn split(&self, _ev: StartEvent) -> Result<Vec<Vec<Job>>> {
        Ok(vec![vec![Job { n: 1 }]])
    }

    #[step]
    async fn work(&self, job: Job) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(job.n))
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
