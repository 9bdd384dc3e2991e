//! The event stream: events in the order written, the stop event last, and
//! after every other way a run can end, an event that says how, then the end
//! of the stream. A stream that is never
//! read never holds a run up; a run has one stream; outbound events show up
//! on it.

use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use typed_workflows::prelude::*;
use typed_workflows::{
    EventStream, StreamTaken, WorkflowCancelledEvent, WorkflowFailedEvent, WorkflowTimedOutEvent,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Event)]
struct Progress {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Next {
    written: u32,
}

/// What the second step does once it has written its events.
#[derive(Clone, Copy)]
enum Ending {
    Stop,
    Fail,
    Panic,
    /// Waits on a `Notify` that nobody notifies.
    Hang,
}

struct Writer {
    first: u32,
    second: u32,
    ending: Ending,
    parked: Notify,
    never: Notify,
}

impl Writer {
    fn new(first: u32, second: u32, ending: Ending) -> Self {
        Self {
            first,
            second,
            ending,
            parked: Notify::new(),
            never: Notify::new(),
        }
    }
}

workflow! {
    impl Writer {
        #[step(writes(Progress))]
        async fn write_first(&self, ctx: &Context<Self>, _ev: StartEvent) -> Next {
            for n in 0..self.first {
                ctx.write_event_to_stream(Progress { n });
            }
            Next { written: self.first }
        }

        #[step(writes(Progress))]
        async fn write_second(&self, ctx: &Context<Self>, ev: Next) -> Result<StopEvent<u32>> {
            for n in ev.written..ev.written + self.second {
                ctx.write_event_to_stream(Progress { n });
            }
            match self.ending {
                Ending::Stop => Ok(StopEvent::new(ev.written + self.second)),
                Ending::Fail => anyhow::bail!("second step failed"),
                Ending::Panic => panic!("second step panicked"),
                Ending::Hang => {
                    self.parked.notify_one();
                    self.never.notified().await;
                    Ok(StopEvent::new(0))
                }
            }
        }
    }
}

/// Bounds the wait for the end of a stream: it only turns a stream that never
/// ends into a failure rather than a hang; no test waits for it to pass.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Checks that the stream has ended.
async fn assert_ends(events: &mut EventStream) {
    match tokio::time::timeout(HANG_GUARD, events.next()).await {
        Ok(None) => {}
        Ok(Some(event)) => panic!("expected the end of the stream, got {event:?}"),
        Err(_) => panic!("the stream did not end"),
    }
}

/// Checks that the next event is `expected`, and that the stream then ends.
async fn assert_ends_with<E: Event + PartialEq>(events: &mut EventStream, expected: E) {
    let last = events
        .next()
        .await
        .expect("an event that says how the run ended");
    assert_eq!(last.downcast_ref::<E>(), Some(&expected), "{last:?}");
    assert_ends(events).await;
}

/// How a run of `Writer` that failed in its second step ends its stream.
fn failed_in_second_step(error: &str) -> WorkflowFailedEvent {
    WorkflowFailedEvent {
        step: Some("write_second".into()),
        event: Some("Next".into()),
        error: error.into(),
    }
}

/// Reads `count` `Progress` events and checks that they are numbered in order.
async fn expect_progress(events: &mut EventStream, count: u32) {
    for n in 0..count {
        let event = events.next().await.expect("a progress event");
        assert_eq!(event.downcast_ref::<Progress>(), Some(&Progress { n }));
    }
}

#[tokio::test]
async fn events_arrive_in_the_order_written_and_the_stop_event_is_last() {
    let mut handler = Writer::new(50, 50, Ending::Stop)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 100).await;
    let stop = events.next().await.expect("the stop event");
    assert_eq!(stop.name(), "StopEvent");
    assert_eq!(stop.downcast_ref::<StopEvent<u32>>().unwrap().result, 100);
    assert_ends(&mut events).await;
    assert_ends(&mut events).await; // and stays ended
    assert_eq!(handler.await.unwrap(), 100);
}

#[tokio::test]
async fn the_stream_ends_after_a_step_error() {
    let mut handler = Writer::new(3, 2, Ending::Fail)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 5).await;
    let error = "step `write_second` failed while handling `Next`: second step failed";
    assert_ends_with(&mut events, failed_in_second_step(error)).await;
    assert!(matches!(
        handler.await,
        Err(WorkflowError::StepFailed {
            step: "write_second",
            ..
        })
    ));
}

#[tokio::test]
async fn the_stream_ends_after_a_panic() {
    let mut handler = Writer::new(3, 2, Ending::Panic)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 5).await;
    let error = "step `write_second` panicked while handling `Next`: second step panicked";
    assert_ends_with(&mut events, failed_in_second_step(error)).await;
    assert!(matches!(
        handler.await,
        Err(WorkflowError::StepPanicked {
            step: "write_second",
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn the_stream_ends_after_a_timeout() {
    let mut handler = Writer::new(3, 2, Ending::Hang)
        .runner()
        .timeout(Duration::from_secs(10))
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 5).await;
    let timed_out = WorkflowTimedOutEvent {
        timeout: Duration::from_secs(10),
        active_steps: vec!["write_second".into()],
    };
    assert_ends_with(&mut events, timed_out).await;
    assert!(matches!(handler.await, Err(WorkflowError::TimedOut { .. })));
}

#[tokio::test]
async fn the_stream_ends_after_a_cancel() {
    let runner = Writer::new(3, 2, Ending::Hang).runner().without_timeout();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 5).await;
    runner.workflow().parked.notified().await;
    handler.cancel();
    assert_ends_with(&mut events, WorkflowCancelledEvent {}).await;
    assert!(matches!(handler.await, Err(WorkflowError::Cancelled)));
}

#[tokio::test]
async fn a_run_whose_stream_is_never_taken_completes() {
    let result = Writer::new(100_000, 100_000, Ending::Stop)
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap();
    assert_eq!(result, 200_000);
}

#[tokio::test]
async fn a_run_whose_stream_is_read_only_afterwards_completes_and_keeps_every_event() {
    let mut handler = Writer::new(100_000, 100_000, Ending::Stop)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), 200_000);
    expect_progress(&mut events, 200_000).await;
    assert!(events.next().await.unwrap().is::<StopEvent<u32>>());
    assert_ends(&mut events).await;
}

#[tokio::test]
async fn events_written_before_the_stream_is_taken_are_kept_for_it() {
    let runner = Writer::new(10, 10, Ending::Hang).runner().without_timeout();
    let mut handler = runner.run(StartEvent::new());
    // The step has written all its events before the stream is taken: the
    // handler keeps them.
    runner.workflow().parked.notified().await;
    let mut events = handler.stream_events().unwrap();
    expect_progress(&mut events, 20).await;
    handler.cancel();
    assert_ends_with(&mut events, WorkflowCancelledEvent {}).await;
}

#[tokio::test]
async fn a_second_stream_events_is_refused() {
    let mut handler = Writer::new(1, 1, Ending::Stop)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.stream_events().unwrap_err(), StreamTaken);
    assert_eq!(
        StreamTaken.to_string(),
        "the events of this run are already being streamed: `stream_events` hands out one stream per run"
    );
    // The first stream is unaffected.
    expect_progress(&mut events, 2).await;
    assert!(events.next().await.unwrap().is::<StopEvent<u32>>());
    assert_ends(&mut events).await;
    assert_eq!(handler.await.unwrap(), 2);
}

// --- outbound events --------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Report {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Work;

struct Outbound;

workflow! {
    impl Outbound {
        #[step(sends(Work))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Report {
            ctx.send_event(Work);
            Report { text: "returned".into() }
        }

        #[step(sends(Report), writes(Progress))]
        async fn work(&self, ctx: &Context<Self>, _ev: Work) -> StopEvent<String> {
            ctx.write_event_to_stream(Progress { n: 1 });
            ctx.send_event(Report { text: "sent".into() });
            StopEvent::new("done".into())
        }
    }
}

#[tokio::test]
async fn an_outbound_event_that_no_step_accepts_goes_to_the_stream() {
    let mut handler = Outbound.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), "done");
    let mut names = Vec::new();
    let mut reports = Vec::new();
    let read = tokio::time::timeout(HANG_GUARD, async {
        while let Some(event) = events.next().await {
            names.push(event.name());
            if let Some(report) = event.downcast_ref::<Report>() {
                reports.push(report.text.clone());
            }
        }
    });
    read.await.expect("the stream ended");
    assert_eq!(reports, ["returned", "sent"]);
    assert_eq!(names, ["Report", "Progress", "Report", "StopEvent"]);
}

#[tokio::test]
async fn stream_events_carry_their_json() {
    let mut handler = Writer::new(1, 0, Ending::Stop)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let first = events.next().await.unwrap();
    assert_eq!(first.to_json().unwrap(), serde_json::json!({ "n": 0 }));
    assert_eq!(format!("{first:?}"), "Progress { n: 0 }");
    let stop = events.next().await.unwrap();
    assert_eq!(stop.to_json().unwrap(), serde_json::json!({ "result": 1 }));
    assert_eq!(handler.await.unwrap(), 1);
}

// --- a reader waiting for each event -----------------------------------------------

struct PingPong {
    rounds: u32,
    acks: Semaphore,
}

workflow! {
    impl PingPong {
        #[step(writes(Progress))]
        async fn talk(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
            for n in 0..self.rounds {
                ctx.write_event_to_stream(Progress { n });
                // The reader has to be woken for this event before the step
                // goes on.
                self.acks.acquire().await.unwrap().forget();
            }
            StopEvent::new(self.rounds)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_reader_is_woken_for_each_event_written() {
    let runner = PingPong {
        rounds: 200,
        acks: Semaphore::new(0),
    }
    .runner();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    for n in 0..200 {
        let event = events.next().await.expect("a progress event");
        assert_eq!(event.downcast_ref::<Progress>(), Some(&Progress { n }));
        runner.workflow().acks.add_permits(1);
    }
    assert!(events.next().await.unwrap().is::<StopEvent<u32>>());
    assert_ends(&mut events).await;
    assert_eq!(handler.await.unwrap(), 200);
}

#[tokio::test]
async fn dropping_the_stream_early_does_not_hold_the_run_up() {
    let runner = PingPong {
        rounds: 3,
        acks: Semaphore::new(0),
    }
    .runner();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert!(events.next().await.unwrap().is::<Progress>());
    drop(events);
    runner.workflow().acks.add_permits(3);
    assert_eq!(handler.await.unwrap(), 3);
}

struct OutboundOrder;

workflow! {
    impl OutboundOrder {
        #[step(sends(Report), writes(Progress))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<String> {
            ctx.write_event_to_stream(Progress { n: 0 });
            ctx.send_event(Report { text: "sent".into() });
            ctx.write_event_to_stream(Progress { n: 1 });
            StopEvent::new("done".into())
        }
    }
}

#[tokio::test]
async fn an_outbound_event_keeps_its_place_among_the_events_written() {
    let mut handler = OutboundOrder.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(handler.await.unwrap(), "done");
    let mut seen = Vec::new();
    let read = tokio::time::timeout(HANG_GUARD, async {
        while let Some(event) = events.next().await {
            seen.push(format!("{event:?}"));
        }
    });
    read.await.expect("the stream ended");
    assert_eq!(
        seen,
        [
            "Progress { n: 0 }",
            "Report { text: \"sent\" }",
            "Progress { n: 1 }",
            "StopEvent { result: \"done\" }",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_can_be_read_on_another_task_while_the_handler_is_awaited() {
    let mut handler = Writer::new(1_000, 1_000, Ending::Stop)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let reader = tokio::spawn(async move {
        let mut progress = Vec::new();
        let mut last = None;
        while let Some(event) = events.next().await {
            match event.downcast::<Progress>() {
                Ok(event) => progress.push(event.n),
                Err(other) => last = Some(other),
            }
        }
        (progress, last)
    });
    assert_eq!(handler.await.unwrap(), 2_000);
    let (progress, last) = tokio::time::timeout(HANG_GUARD, reader)
        .await
        .expect("the stream ended")
        .unwrap();
    assert!(progress.iter().copied().eq(0..2_000));
    assert_eq!(
        last.unwrap().downcast::<StopEvent<u32>>().unwrap().result,
        2_000
    );
}

// --- forwarding a stream of items --------------------------------------------------

/// Forwards the items the test feeds it, one `Progress` each, and stops
/// with their sum.
struct Forwarder {
    items: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Result<u32, String>>>>,
}

workflow! {
    impl Forwarder {
        #[step(writes(Progress))]
        async fn forward(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
            let items = self.items.lock().unwrap().take().expect("one run");
            let items = tokio_stream::wrappers::UnboundedReceiverStream::new(items);
            let forwarded = ctx
                .forward_to_stream(items, |&n| Progress { n })
                .await
                .map_err(anyhow::Error::msg)?;
            Ok(StopEvent::new(forwarded.iter().sum()))
        }
    }
}

/// A run of [`Forwarder`] and the sender that feeds it.
fn forwarding() -> (
    WorkflowHandler<Forwarder>,
    tokio::sync::mpsc::UnboundedSender<Result<u32, String>>,
) {
    let (feed, items) = tokio::sync::mpsc::unbounded_channel();
    let forwarder = Forwarder {
        items: std::sync::Mutex::new(Some(items)),
    };
    (forwarder.runner().run(StartEvent::new()), feed)
}

#[tokio::test]
async fn forwarded_items_each_arrive_as_an_event_before_the_next_is_read() {
    let (mut handler, feed) = forwarding();
    let mut events = handler.stream_events().unwrap();
    for n in [4, 5, 6] {
        feed.send(Ok(n)).unwrap();
        // The next item is only fed once this one's event has arrived.
        let event = events.next().await.expect("a progress event");
        assert_eq!(event.downcast_ref::<Progress>(), Some(&Progress { n }));
    }
    drop(feed);
    assert!(events.next().await.unwrap().is::<StopEvent<u32>>());
    assert_ends(&mut events).await;
    assert_eq!(handler.await.unwrap(), 15);
}

#[tokio::test]
async fn an_error_among_forwarded_items_fails_the_step_after_those_before_it() {
    let (mut handler, feed) = forwarding();
    let mut events = handler.stream_events().unwrap();
    for item in [Ok(0), Ok(1), Err("connection cut".to_owned()), Ok(2)] {
        feed.send(item).unwrap();
    }
    expect_progress(&mut events, 2).await;
    let last = events.next().await.unwrap();
    assert!(last.is::<WorkflowFailedEvent>(), "{last:?}");
    assert_ends(&mut events).await;
    match handler.await {
        Err(WorkflowError::StepFailed { step, source, .. }) => {
            assert_eq!(step, "forward");
            assert_eq!(source.to_string(), "connection cut");
        }
        other => panic!("expected the step to fail, got {other:?}"),
    }
}
