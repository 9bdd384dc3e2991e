//! A step gathers the branches of a fan-out by its parameter's type, not its
//! spelling: an alias of `Vec<Summary>` gathers as `Vec<Summary>` does.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Chunk {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Summary {
    n: u32,
}

type Chunks = Vec<Chunk>;
type Summaries = Vec<Summary>;

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn split(&self, _ev: StartEvent) -> Result<Chunks> {
        Ok((1..=4).map(|n| Chunk { n }).collect())
    }

    #[step]
    async fn summarise(&self, chunk: Chunk) -> Result<Summary> {
        Ok(Summary { n: chunk.n * 10 })
    }

    #[step]
    async fn gather(&self, summaries: Summaries) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(summaries.iter().map(|s| s.n).sum()))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 100);
    assert!(W::STEPS[2].gathers);
    assert!(W::STEPS[0].fans_out);
}
