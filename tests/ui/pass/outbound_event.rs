//! An `#[event(outbound)]` event may be returned, and sent, with no step
//! accepting it: it leaves the workflow through the event stream.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Report {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Work;

struct W;

workflow! {
    impl W {
        #[step(sends(Work))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Report> {
            ctx.send_event(Work);
            Ok(Report { text: "returned".into() })
        }

        #[step(sends(Report))]
        async fn work(&self, ctx: &Context<Self>, _ev: Work) -> Result<StopEvent<String>> {
            ctx.send_event(Report { text: "sent".into() });
            Ok(StopEvent::new("done".into()))
        }
    }
}

#[tokio::main]
async fn main() {
    let mut handler = W.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), "done");
    let mut reports = Vec::new();
    while let Some(event) = events.next().await {
        if let Some(report) = event.downcast_ref::<Report>() {
            reports.push(report.text.clone());
        }
    }
    assert_eq!(reports, ["returned", "sent"]);
}
