//! `ctx.write_event_to_stream` of a type that the step does not declare in
//! `#[step(writes(...))]`, so the workflow's graph would not show it. The
//! error points at the event written, and the step declares another write.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Progress {
    percent: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Log {
    line: String,
}

struct W;

workflow! {
    impl W {
        #[step(writes(Progress))]
        async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<()> {
            ctx.write_event_to_stream(Progress { percent: 50 });
            ctx.write_event_to_stream(Log { line: "halfway".into() });
            StopEvent::new(())
        }
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
