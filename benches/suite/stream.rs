//! *stream*: a step writes `events` events to the stream and the caller
//! reads them all. Measures the cost of one event from a step to the caller.

use tokio::sync::mpsc;
use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Tick {
    index: u64,
}

struct Ticker {
    events: u64,
}

workflow! {
    impl Ticker {
        #[step(writes(Tick))]
        async fn tick(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<()> {
            for index in 0..self.events {
                ctx.write_event_to_stream(Tick { index });
            }
            StopEvent::new(())
        }
    }
}

/// `events` events through a run's event stream.
pub async fn ours(events: u64) {
    let mut handler = Ticker { events }.runner().run(StartEvent::new());
    let mut stream = handler
        .stream_events()
        .expect("the stream is not taken yet");
    let mut ticks = 0;
    while let Some(event) = stream.next().await {
        if let Some(tick) = event.downcast_ref::<Tick>() {
            assert_eq!(tick.index, ticks);
            ticks += 1;
        }
    }
    handler.await.expect("the run ends with its stop event");
    assert_eq!(ticks, events);
}

/// `events` events through an unbounded channel from a task to the caller.
pub async fn by_hand(events: u64) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let writer = tokio::spawn(async move {
        for index in 0..events {
            let _ = sender.send(Tick { index });
        }
    });
    let mut ticks = 0;
    while let Some(tick) = receiver.recv().await {
        assert_eq!(tick.index, ticks);
        ticks += 1;
    }
    writer.await.expect("the writer finishes");
    assert_eq!(ticks, events);
}
