//! The attribute spelling, `#[workflow_impl] impl W { ... }`, builds the same
//! workflow as `workflow! { ... }`.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Greeting {
    text: String,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn greet(&self, start: StartEvent) -> Result<Greeting> {
        let name: String = start.get("name")?;
        Ok(Greeting {
            text: format!("Hello, {name}!"),
        })
    }

    #[step(num_workers = 2, writes(Greeting))]
    async fn finish(&self, ctx: &Context<Self>, greeting: Greeting) -> StopEvent<String> {
        ctx.write_event_to_stream(greeting.clone());
        StopEvent::new(greeting.text)
    }
}

#[tokio::main]
async fn main() {
    let text = W
        .runner()
        .run(StartEvent::new().with("name", "Ishmael"))
        .await
        .unwrap();
    assert_eq!(text, "Hello, Ishmael!");
}
