//! The events of a run's stream that its reader has not taken yet, and the
//! bound a runner may put on them
//! ([`Runner::stream_capacity`](crate::Runner::stream_capacity)).
//!
//! Unbounded by default, as LlamaIndex's stream: a step never waits for the
//! reader, and what the reader has not taken is held until it does. With a
//! bound, [`WhenFull`] says what a write into a full stream does.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

use serde::{Deserialize, Serialize};

use crate::event::{AnyEvent, library_event};

/// What a write does when the run's event stream already holds as many
/// events as its capacity, because the reader is behind.
///
/// ```
/// use typed_workflows::WhenFull;
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Tick {
///     n: u32,
/// }
///
/// struct Ticker;
///
/// #[workflow_impl]
/// impl Ticker {
///     #[step(writes(Tick))]
///     async fn tick(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<()> {
///         for n in 0..10 {
///             ctx.write_event_to_stream(Tick { n });
///         }
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Ticker.runner().stream_capacity(4, WhenFull::Wait).run(StartEvent::new());
/// let events: Vec<AnyEvent> = handler.stream_events()?.collect().await;
/// assert_eq!(events.len(), 11); // ten ticks and the stop event: none lost
/// handler.await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// The run waits: it polls none of its steps until the reader has
    /// taken half of what the stream holds, so every step is held at its
    /// next await point, and a spawned step at its next one too. No event
    /// is lost. A write itself never blocks the thread, so the stream holds
    /// at most the capacity plus what a step writes before it next awaits;
    /// a step that writes many events in one go awaits
    /// [`Context::wait_for_stream_room`](crate::Context::wait_for_stream_room)
    /// between them, as
    /// [`forward_to_stream`](crate::StepContext::forward_to_stream) does.
    ///
    /// A run whose caller never reads the stream then waits until its
    /// timeout, unless the caller drops the stream, which discards what it
    /// holds and lets the run go on.
    Wait,
    /// The oldest event is dropped to make room, and the reader finds an
    /// [`EventsDropped`] in its place, saying how many it missed there.
    /// Steps never wait, and the stream never holds more than its capacity.
    DropOldest,
}

/// Stands in a bounded stream ([`WhenFull::DropOldest`]) for the events
/// dropped there because the reader was behind: the reader gets it just
/// before the first event it reads after them.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{EventsDropped, WhenFull};
///
/// #[event]
/// struct Tick { n: u32 }
///
/// struct Ticker;
///
/// #[workflow_impl]
/// impl Ticker {
///     #[step(writes(Tick))]
///     async fn tick(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<()> {
///         for n in 0..10 {
///             ctx.write_event_to_stream(Tick { n });
///         }
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Ticker.runner().stream_capacity(3, WhenFull::DropOldest).run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// (&mut handler).await?; // the run ends before the reader reads anything
/// let dropped = events.next().await.unwrap();
/// assert_eq!(dropped.downcast_ref::<EventsDropped>().unwrap().count, 8);
/// assert_eq!(events.next().await.unwrap().downcast_ref::<Tick>().unwrap().n, 8);
/// assert_eq!(events.next().await.unwrap().downcast_ref::<Tick>().unwrap().n, 9);
/// assert!(events.next().await.unwrap().is::<StopEvent<()>>());
/// assert!(events.next().await.is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsDropped {
    /// How many events were dropped.
    pub count: u64,
}

library_event!("typed_workflows::", EventsDropped);

/// A stream's capacity, and what a write into it does when it is full.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound {
    pub(crate) capacity: usize,
    pub(crate) when_full: WhenFull,
}

/// The events the reader has not taken, in order.
#[derive(Default)]
pub(crate) struct Backlog {
    events: VecDeque<AnyEvent>,
    /// The bound, if any, and what it keeps track of: boxed, as most
    /// streams have none, and each run's channel holds a backlog.
    bounded: Option<Box<Bounded>>,
}

struct Bounded {
    bound: Bound,
    /// Events dropped from the front since the reader last read.
    dropped: u64,
    /// The tasks waiting for room: the run's, and those of its spawned
    /// steps, at most one entry each.
    writers: Vec<Waker>,
}

impl Backlog {
    /// The backlog of a stream with `bound`, if any.
    pub(crate) fn new(bound: Option<Bound>) -> Self {
        Self {
            events: VecDeque::new(),
            bounded: bound.map(|bound| {
                Box::new(Bounded {
                    bound,
                    dropped: 0,
                    writers: Vec::new(),
                })
            }),
        }
    }

    /// The stream's bound, if any.
    /// How many events it holds.
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn bound(&self) -> Option<Bound> {
        self.bounded.as_ref().map(|bounded| bounded.bound)
    }

    /// Queues `event`; under [`WhenFull::DropOldest`], gives back the
    /// oldest event if it made room for this one, for the caller to drop
    /// once it has let go of the lock. Under [`WhenFull::Wait`], sets
    /// `full` once the backlog reaches the capacity.
    pub(crate) fn push(&mut self, event: AnyEvent, full: &AtomicBool) -> Option<AnyEvent> {
        let Some(bounded) = &mut self.bounded else {
            self.events.push_back(event);
            return None;
        };
        let Bound {
            capacity,
            when_full,
        } = bounded.bound;
        let evicted = match when_full {
            WhenFull::DropOldest if self.events.len() >= capacity => {
                bounded.dropped += 1;
                self.events.pop_front()
            }
            _ => None,
        };
        self.events.push_back(event);
        if when_full == WhenFull::Wait && self.events.len() >= capacity {
            full.store(true, Ordering::Release);
        }
        evicted
    }

    /// The next event for the reader. Unbounded, it moves every event into
    /// `batch`, which is empty, so that the reader takes them all in one
    /// lock. Bounded, it gives them one at a time, so that what the reader
    /// holds counts against the bound, with an [`EventsDropped`] first if
    /// events were dropped before the next one; and once the backlog is down
    /// to half the capacity, it clears `full` and gives the writers to wake.
    pub(crate) fn take(
        &mut self,
        batch: &mut VecDeque<AnyEvent>,
        full: &AtomicBool,
    ) -> (Option<AnyEvent>, Vec<Waker>) {
        let Some(bounded) = &mut self.bounded else {
            std::mem::swap(&mut self.events, batch);
            return (batch.pop_front(), Vec::new());
        };
        if bounded.dropped > 0 {
            let count = std::mem::take(&mut bounded.dropped);
            return (Some(AnyEvent::new(EventsDropped { count })), Vec::new());
        }
        let event = self.events.pop_front();
        let low = self.events.len() <= bounded.bound.capacity / 2;
        let writers = if low && full.load(Ordering::Relaxed) {
            bounded.release(full)
        } else {
            Vec::new()
        };
        (event, writers)
    }

    /// Empties the backlog, as the reader is gone: gives back its events
    /// and the writers to wake, who have room now.
    pub(crate) fn discard(&mut self, full: &AtomicBool) -> (VecDeque<AnyEvent>, Vec<Waker>) {
        let writers = match &mut self.bounded {
            Some(bounded) => {
                bounded.dropped = 0;
                bounded.release(full)
            }
            None => Vec::new(),
        };
        (std::mem::take(&mut self.events), writers)
    }

    /// Remembers `writer` to wake when there is room.
    pub(crate) fn wait_for_room(&mut self, writer: &Waker) {
        if let Some(bounded) = &mut self.bounded
            && !bounded
                .writers
                .iter()
                .any(|waiting| waiting.will_wake(writer))
        {
            bounded.writers.push(writer.clone());
        }
    }
}

impl Bounded {
    /// The stream has room: clears `full`, and gives the writers to wake.
    fn release(&mut self, full: &AtomicBool) -> Vec<Waker> {
        full.store(false, Ordering::Release);
        std::mem::take(&mut self.writers)
    }
}
