//! A step that accepts one of several events: its parameter is a
//! `#[derive(OneOf)]` enum, here the start event or the step's own output,
//! a loop. Each variant's type counts in the graph checks: the step is
//! reachable through the start event, and `Again` is produced.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Again {
    left: u32,
}

#[derive(OneOf)]
enum Begin {
    Start(StartEvent),
    Again(Again),
}

#[derive(OneOf)]
enum Next {
    Again(Again),
    Done(StopEvent<u32>),
}

struct Countdown;

#[workflow_impl]
impl Countdown {
    #[step]
    async fn count(&self, ev: Begin) -> Result<Next> {
        let left = match ev {
            Begin::Start(start) => start.get("from")?,
            Begin::Again(again) => again.left,
        };
        Ok(match left {
            0 => StopEvent::new(0).into(),
            left => Again { left: left - 1 }.into(),
        })
    }
}

#[tokio::main]
async fn main() {
    let left = Countdown
        .runner()
        .run(StartEvent::new().with("from", 3))
        .await
        .unwrap();
    assert_eq!(left, 0);
}
