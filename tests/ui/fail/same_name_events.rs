//! Two events named `Hop`, in two modules: the first step returns `a::Hop`,
//! the second accepts `b::Hop`. The errors name each by its path, so that
//! they do not read as if `Hop` were both accepted and not; and two types
//! of one name in one workflow are an error of their own, at the step that
//! uses the second.

use typed_workflows::prelude::*;

mod a {
    use typed_workflows::prelude::*;

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    pub struct Hop;
}

mod b {
    use typed_workflows::prelude::*;

    #[derive(Debug, Clone, Serialize, Deserialize, Event)]
    pub struct Hop;
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn begin(&self, _ev: StartEvent) -> Result<a::Hop> {
        Ok(a::Hop)
    }

    #[step]
    async fn finish(&self, _ev: b::Hop) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(1))
    }
}

#[tokio::main]
async fn main() {
    let n = W.runner().run(StartEvent::new()).await.unwrap();
    println!("{n}");
}
