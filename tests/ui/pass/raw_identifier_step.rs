//! A step may be named with a raw identifier, like `r#type`: the generated
//! code keeps the `r#`, and the step table, messages and `catches(...)`
//! know the step by its name without it.

use typed_workflows::prelude::*;
use typed_workflows::StepFailedEvent;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Typed {
    kind: String,
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn r#type(&self, _ev: StartEvent) -> Result<Typed> {
        Ok(Typed { kind: "raw".into() })
    }

    #[step]
    async fn r#match(&self, ev: Typed) -> Result<StopEvent<String>> {
        Ok(StopEvent::new(ev.kind))
    }

    #[step(catches(r#type))]
    async fn recover(&self, _failed: StepFailedEvent) -> Result<StopEvent<String>> {
        Ok(StopEvent::new("recovered".into()))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), "raw");
    let names: Vec<&str> = W::STEPS.iter().map(|step| step.name).collect();
    assert_eq!(names, ["type", "match", "recover"]);
    assert_eq!(W::STEPS[2].catches, ["type"]);
}
