//! `Runner::stream_capacity`: a bounded event stream. Under
//! `WhenFull::DropOldest` the oldest events make room and the reader is told
//! how many it missed; under `WhenFull::Wait` the run waits for the reader
//! and loses nothing. Either way the stream holds a bounded number of
//! events, counted here as live event values, not as memory.
//!
//! "The run is waiting" is checked on a paused clock: a sleep there returns
//! only once every task of the runtime is idle.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::{EventStream, EventsDropped, WhenFull, WorkflowTimedOutEvent};

/// Returns once everything else on the (paused) runtime waits.
async fn settle() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// How many event values of one test are alive, and the most there were.
struct Counter {
    live: AtomicUsize,
    peak: AtomicUsize,
}

impl Counter {
    const fn new() -> Self {
        Self {
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// Counted while alive.
struct Tally(&'static Counter);

impl Tally {
    fn new(counter: &'static Counter) -> Self {
        let live = counter.live.fetch_add(1, Ordering::SeqCst) + 1;
        counter.peak.fetch_max(live, Ordering::SeqCst);
        Self(counter)
    }
}

impl Clone for Tally {
    fn clone(&self) -> Self {
        Self::new(self.0)
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for Tally {
    /// Deserialised ticks, which no test makes, count nowhere.
    fn default() -> Self {
        static NOWHERE: Counter = Counter::new();
        Self::new(&NOWHERE)
    }
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tally")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Tick {
    n: u64,
    #[serde(skip)]
    _tally: Tally,
}

/// Writes `count` ticks, counted by `counter`, in a loop that never awaits
/// (`pace: false`) or that waits for room before each (`pace: true`).
struct Ticker {
    count: u64,
    counter: &'static Counter,
    pace: bool,
    written: AtomicU64,
}

impl Ticker {
    fn new(count: u64, counter: &'static Counter, pace: bool) -> Self {
        Self {
            count,
            counter,
            pace,
            written: AtomicU64::new(0),
        }
    }
}

workflow! {
    impl Ticker {
        #[step(writes(Tick))]
        async fn tick(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<u64> {
            for n in 0..self.count {
                if self.pace {
                    ctx.wait_for_stream_room().await;
                }
                ctx.write_event_to_stream(Tick { n, _tally: Tally::new(self.counter) });
                self.written.fetch_add(1, Ordering::SeqCst);
            }
            StopEvent::new(self.count)
        }
    }
}

/// Reads the ticks to the end: checks that they are `first..count` in
/// order and that the stop event comes last.
async fn read_ticks(events: &mut EventStream, first: u64, count: u64) {
    for n in first..count {
        let event = events.next().await.expect("a tick");
        let tick = event
            .downcast_ref::<Tick>()
            .expect("a tick, nothing dropped");
        assert_eq!(tick.n, n);
    }
    let stop = events.next().await.expect("the stop event");
    assert_eq!(stop.downcast_ref::<StopEvent<u64>>().unwrap().result, count);
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn dropping_the_oldest_holds_a_million_events_to_the_bound_and_counts_what_was_dropped() {
    static COUNTER: Counter = Counter::new();
    const COUNT: u64 = 1_000_000;
    let mut handler = Ticker::new(COUNT, &COUNTER, false)
        .runner()
        .stream_capacity(100, WhenFull::DropOldest)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(
        (&mut handler).await.unwrap(),
        COUNT,
        "the step never waited"
    );
    // The stream held 100 events, and one more for a moment: the one that
    // made the oldest go.
    assert!(
        COUNTER.peak() <= 101,
        "{} ticks held at once",
        COUNTER.peak()
    );
    assert_eq!(
        COUNTER.live.load(Ordering::SeqCst),
        99,
        "99 ticks and the stop event"
    );
    let dropped = events.next().await.unwrap();
    let dropped = dropped.downcast_ref::<EventsDropped>().unwrap();
    assert_eq!(dropped.count, COUNT - 99);
    read_ticks(&mut events, COUNT - 99, COUNT).await;
}

#[tokio::test]
async fn the_reader_learns_of_each_gap_where_it_was() {
    static COUNTER: Counter = Counter::new();
    let ticker = Ticker::new(10, &COUNTER, false);
    let mut handler = ticker
        .runner()
        .stream_capacity(3, WhenFull::DropOldest)
        .run(StartEvent::new());
    let events = handler.stream_events().unwrap();
    (&mut handler).await.unwrap();
    let names: Vec<String> = events
        .map(|event| match event.downcast_ref::<EventsDropped>() {
            Some(dropped) => format!("dropped {}", dropped.count),
            None => event.name().to_owned(),
        })
        .collect::<Vec<_>>()
        .await;
    assert_eq!(names, ["dropped 8", "Tick", "Tick", "StopEvent"]);
}

#[tokio::test]
async fn waiting_holds_a_million_events_to_the_bound_and_loses_none() {
    static COUNTER: Counter = Counter::new();
    const COUNT: u64 = 1_000_000;
    let mut handler = Ticker::new(COUNT, &COUNTER, true)
        .runner()
        .without_timeout()
        .stream_capacity(100, WhenFull::Wait)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    read_ticks(&mut events, 0, COUNT).await;
    assert_eq!(handler.await.unwrap(), COUNT);
    // The reader holds the one it reads as the step writes the 100th.
    assert!(
        COUNTER.peak() <= 101,
        "{} ticks held at once",
        COUNTER.peak()
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiting_step_goes_on_once_the_reader_has_taken_half() {
    static COUNTER: Counter = Counter::new();
    let runner = Ticker::new(10, &COUNTER, true)
        .runner()
        .without_timeout()
        .stream_capacity(4, WhenFull::Wait);
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let written = || runner.workflow().written.load(Ordering::SeqCst);
    settle().await;
    assert_eq!(written(), 4, "the step waits with the stream full");
    events.next().await.unwrap();
    settle().await;
    assert_eq!(written(), 4, "one event taken is not half");
    events.next().await.unwrap();
    settle().await;
    assert_eq!(written(), 6, "two taken: the step fills the stream again");
    read_ticks(&mut events, 2, 10).await;
    assert_eq!(handler.await.unwrap(), 10);
}

/// Each step writes one tick and sends itself on, `count` times: no step
/// awaits anything, so only the run can hold them up.
struct Chain {
    count: u64,
    counter: &'static Counter,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop {
    n: u64,
}

#[derive(OneOf)]
enum Next {
    Hop(Hop),
    Done(StopEvent<u64>),
}

workflow! {
    impl Chain {
        #[step]
        async fn begin(&self, _start: StartEvent) -> Hop {
            Hop { n: 0 }
        }

        #[step(writes(Tick))]
        async fn hop(&self, ctx: &Context<Self>, hop: Hop) -> Next {
            ctx.write_event_to_stream(Tick { n: hop.n, _tally: Tally::new(self.counter) });
            match hop.n + 1 {
                n if n == self.count => StopEvent::new(n).into(),
                n => Hop { n }.into(),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_waits_for_the_reader_between_the_steps_it_polls() {
    static COUNTER: Counter = Counter::new();
    const COUNT: u64 = 100_000;
    let mut handler = Chain {
        count: COUNT,
        counter: &COUNTER,
    }
    .runner()
    .without_timeout()
    .stream_capacity(100, WhenFull::Wait)
    .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    read_ticks(&mut events, 0, COUNT).await;
    assert_eq!(handler.await.unwrap(), COUNT);
    assert!(
        COUNTER.peak() <= 102,
        "{} ticks held at once",
        COUNTER.peak()
    );
}

/// A spawned step that writes a tick and yields, `count` times: held at
/// its await points while the stream is full, as the run's own steps are.
struct SpawnedTicker {
    count: u64,
    counter: &'static Counter,
}

workflow! {
    impl SpawnedTicker {
        #[step(spawn, writes(Tick))]
        async fn tick(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<u64> {
            for n in 0..self.count {
                ctx.write_event_to_stream(Tick { n, _tally: Tally::new(self.counter) });
                tokio::task::yield_now().await;
            }
            StopEvent::new(self.count)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_step_waits_for_the_reader_at_its_await_points() {
    static COUNTER: Counter = Counter::new();
    const COUNT: u64 = 10_000;
    let mut handler = SpawnedTicker {
        count: COUNT,
        counter: &COUNTER,
    }
    .runner()
    .without_timeout()
    .stream_capacity(10, WhenFull::Wait)
    .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    read_ticks(&mut events, 0, COUNT).await;
    assert_eq!(handler.await.unwrap(), COUNT);
    assert!(
        COUNTER.peak() <= 12,
        "{} ticks held at once",
        COUNTER.peak()
    );
}

#[tokio::test(start_paused = true)]
async fn a_run_waiting_for_its_reader_still_times_out() {
    static COUNTER: Counter = Counter::new();
    let mut handler = Ticker::new(10, &COUNTER, true)
        .runner()
        .timeout(Duration::from_secs(5))
        .stream_capacity(2, WhenFull::Wait)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    match (&mut handler).await {
        Err(WorkflowError::TimedOut { active_steps, .. }) => assert_eq!(active_steps, ["tick"]),
        other => panic!("expected a timeout, got {other:?}"),
    }
    events.next().await.unwrap();
    events.next().await.unwrap();
    let last = events.next().await.unwrap();
    assert!(
        last.is::<WorkflowTimedOutEvent>(),
        "the last event goes past the bound"
    );
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn a_run_whose_reader_drops_the_stream_goes_on() {
    static COUNTER: Counter = Counter::new();
    let mut handler = Ticker::new(1_000, &COUNTER, true)
        .runner()
        .stream_capacity(2, WhenFull::Wait)
        .run(StartEvent::new());
    drop(handler.stream_events().unwrap());
    assert_eq!(handler.await.unwrap(), 1_000);
    assert_eq!(COUNTER.live.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn unbounded_by_default_a_stream_holds_what_the_reader_has_not_read() {
    static COUNTER: Counter = Counter::new();
    let mut handler = Ticker::new(10_000, &COUNTER, false)
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!((&mut handler).await.unwrap(), 10_000);
    assert_eq!(COUNTER.live.load(Ordering::SeqCst), 10_000);
    read_ticks(&mut events, 0, 10_000).await;
}
