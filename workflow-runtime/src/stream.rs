//! The channel between a run and its caller: [`EventStream`] and its writing
//! end, out to the caller, and the run's [`Inbox`] of events the caller
//! sends in, in the one allocation they share.
//!
//! The stream is unbounded unless the runner bounds it (see [`backlog`]),
//! so that a step never waits for the caller, and batched on the reading
//! side: the reader takes everything queued in one lock. A bounded stream's
//! reader takes one event at a time, so that what it holds counts against
//! the bound.
//!
//! [`backlog`]: crate::backlog

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context as TaskContext, Poll, Waker};

use futures_util::task::AtomicWaker;
use tokio_stream::Stream;
use workflow_model::{AnyEvent, SendError};

use crate::backlog::{Backlog, Bound, WhenFull};
use crate::control::Request;
use crate::inbox::{Inbox, Sent};

#[derive(Default)]
struct State {
    backlog: Backlog,
    reader_waker: Option<Waker>,
    closed: bool,
    reader_gone: bool,
    /// Boxed on first use: most runs take no input, and the channel of each
    /// run is allocated whole.
    inbox: Option<Box<Inbox>>,
    /// The sequence number of the next event published.
    published: u64,
    /// The sequence number of the oldest event in the backlog.
    front: u64,
    /// A durable run's copy of each event published since its journal last
    /// took them, for its store; `None` for other runs.
    #[expect(
        clippy::box_collection,
        reason = "one word in every run's channel, where a `Vec` would take three"
    )]
    tapped: Option<Box<Vec<AnyEvent>>>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Whether the inbox holds something for the run to look at: read by
    /// the run without the lock.
    incoming: AtomicBool,
    /// Whether a stream bounded with [`WhenFull::Wait`] is full: read by
    /// its writers without the lock, set and cleared under it.
    full: AtomicBool,
    /// The limit of the inbox, once it is made: saturated at `u32::MAX`, far
    /// beyond what an inbox can hold, so that it shares a word with the
    /// flags above, in each run's channel.
    inbox_limit: u32,
    /// Whether a request of the caller waits in the inbox: read by the run
    /// without the lock.
    asked: AtomicBool,
    /// What the caller did to the run: [`CANCELLED`] it, which a durable
    /// run records, or [`LET_GO`] of its handler, after which a durable run
    /// that only waits for input may park.
    caller: AtomicU8,
    /// The run's task, woken when a request comes.
    run: AtomicWaker,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves the queue consistent, so a
        // poisoned lock is still safe to use.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// The run's end of the stream. Dropping it ends the stream.
pub(crate) struct Publisher {
    shared: Arc<Shared>,
}

/// The handler's end of the stream, until the caller takes it.
pub(crate) struct Subscription {
    shared: Arc<Shared>,
}

/// [`Shared::caller`]: the caller cancelled the run.
const CANCELLED: u8 = 1;
/// [`Shared::caller`]: the caller let go of the run's handler.
const LET_GO: u8 = 2;

/// The handler's way into the run's inbox.
#[derive(Clone)]
pub(crate) struct Inlet {
    shared: Arc<Shared>,
}

/// The channel of a run whose stream has `bound`, if any, and whose inbox
/// holds up to `inbox_limit` events that no step has taken yet.
pub(crate) fn channel(
    bound: Option<Bound>,
    inbox_limit: usize,
) -> (Publisher, Subscription, Inlet) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            backlog: Backlog::new(bound),
            ..State::default()
        }),
        inbox_limit: u32::try_from(inbox_limit).unwrap_or(u32::MAX),
        ..Shared::default()
    });
    (
        Publisher {
            shared: shared.clone(),
        },
        Subscription {
            shared: shared.clone(),
        },
        Inlet { shared },
    )
}

impl Publisher {
    /// Queues `event` for the reader; drops it if the reader is gone, or
    /// the stream has ended.
    pub(crate) fn publish(&self, event: AnyEvent) {
        self.push(event, false);
    }

    /// Queues `event` as the last item of the stream, which ends after it:
    /// whatever is published afterwards, by a spawned step whose task is
    /// still being aborted, is dropped, and the caller can send nothing
    /// more.
    pub(crate) fn publish_last(&self, event: AnyEvent) {
        self.push(event, true);
    }

    /// How many events the caller sent that no step took; final once the
    /// stream has ended.
    pub(crate) fn unclaimed(&self) -> usize {
        self.shared.lock().inbox.as_deref().map_or(0, Inbox::held)
    }

    fn push(&self, event: AnyEvent, last: bool) {
        let (waker, evicted) = {
            let mut state = self.shared.lock();
            if state.closed {
                return;
            }
            state.closed = last;
            state.published += 1;
            if let Some(tapped) = state.tapped.as_mut() {
                tapped.push(event.clone());
            }
            let evicted = if state.reader_gone {
                None
            } else {
                state.backlog.push(event, &self.shared.full)
            };
            state.front += u64::from(evicted.is_some());
            (state.reader_waker.take(), evicted)
        };
        drop(evicted);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Keeps a copy of each event published from now on, for
    /// [`take_tapped`](Self::take_tapped): a durable run's stream, which
    /// its store keeps too.
    pub(crate) fn tap(&self) {
        self.shared.lock().tapped.get_or_insert_default();
    }

    /// The events published since the last call (or since [`tap`](Self::tap)),
    /// with the sequence number of the first.
    pub(crate) fn take_tapped(&self) -> (u64, Vec<AnyEvent>) {
        let mut state = self.shared.lock();
        let tapped = state
            .tapped
            .as_deref_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        (state.published - tapped.len() as u64, tapped)
    }

    /// Whether events were published since the last [`take_tapped`](Self::take_tapped).
    pub(crate) fn has_tapped(&self) -> bool {
        self.shared
            .lock()
            .tapped
            .as_ref()
            .is_some_and(|tapped| !tapped.is_empty())
    }

    /// The sequence number of the next event the run publishes.
    pub(crate) fn next_sequence(&self) -> u64 {
        self.shared.lock().published
    }

    /// Numbers the run's events from `next`: a resumed run goes on from its
    /// snapshot's number.
    pub(crate) fn continue_from(&self, next: u64) {
        let mut state = self.shared.lock();
        state.published = next;
        state.front = next;
    }

    /// Whether the caller cancelled the run.
    pub(crate) fn cancelled(&self) -> bool {
        self.shared.caller.load(Ordering::Acquire) & CANCELLED != 0
    }

    /// Whether the caller let go of the run's handler.
    pub(crate) fn caller_let_go(&self) -> bool {
        self.shared.caller.load(Ordering::Acquire) & LET_GO != 0
    }

    /// Closes the inbox, as the run's end does, if nothing the caller sent
    /// or asked waits in it: a run that parks takes no more input in
    /// memory, and whoever sends more finds it in the store. Says whether
    /// it closed.
    pub(crate) fn close_to_park(&self) -> bool {
        let mut state = self.shared.lock();
        let quiet = state.inbox.as_deref().is_none_or(|inbox| {
            inbox.nothing_arrived() && !inbox.has_requests() && !inbox.has_timed_waits()
        });
        if quiet {
            state.closed = true;
        }
        quiet
    }

    /// Wakes the run's task, if it has polled once: for a request, or a
    /// spawned step that asks for a record of the run.
    pub(crate) fn wake_run(&self) {
        self.shared.run.wake();
    }

    /// Remembers the run's task, to wake when a request comes.
    #[inline]
    pub(crate) fn register_for_requests(&self, run: &Waker) {
        self.shared.run.register(run);
    }

    /// Whether a request of the caller waits; no lock.
    #[inline]
    pub(crate) fn asked(&self) -> bool {
        self.shared.asked.load(Ordering::Acquire)
    }

    /// The requests waiting, oldest first.
    pub(crate) fn take_requests(&self) -> Vec<Request> {
        self.shared.asked.store(false, Ordering::Release);
        self.inbox().take_requests()
    }

    /// Whether the run waits for the reader when the stream is full
    /// ([`WhenFull::Wait`]).
    pub(crate) fn waits_when_full(&self) -> bool {
        let bound = self.shared.lock().backlog.bound();
        bound.is_some_and(|bound| bound.when_full == WhenFull::Wait)
    }

    /// Ready if the stream has room for more events; otherwise remembers
    /// the task of `cx` to wake once it has. Always ready but for a stream
    /// bounded with [`WhenFull::Wait`].
    pub(crate) fn poll_room(&self, cx: &TaskContext<'_>) -> Poll<()> {
        if !self.shared.full.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut state = self.shared.lock();
        // Set and cleared under the lock: looked at again under it, so
        // that a reader who makes room now wakes this writer.
        if !self.shared.full.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        state.backlog.wait_for_room(cx.waker());
        Poll::Pending
    }
}

impl Publisher {
    /// The run's inbox, under the channel's lock.
    pub(crate) fn inbox(&self) -> InboxGuard<'_> {
        InboxGuard::of(&self.shared)
    }

    /// Whether the inbox has something for the run to look at; no lock.
    pub(crate) fn has_incoming(&self) -> bool {
        self.shared.incoming.load(Ordering::Acquire)
    }
}

/// The run's inbox, made on first use, under the lock of its channel.
pub(crate) struct InboxGuard<'a> {
    state: MutexGuard<'a, State>,
    shared: &'a Shared,
}

impl<'a> InboxGuard<'a> {
    fn of(shared: &'a Shared) -> Self {
        Self::made(shared, shared.lock())
    }

    /// The inbox of a run that has not ended.
    fn open(shared: &'a Shared) -> Option<Self> {
        let state = shared.lock();
        (!state.closed).then(|| Self::made(shared, state))
    }

    fn made(shared: &'a Shared, mut state: MutexGuard<'a, State>) -> Self {
        state
            .inbox
            .get_or_insert_with(|| Box::new(Inbox::new(shared.inbox_limit as usize)));
        Self { state, shared }
    }

    /// Tells the run that the inbox has something for it to look at.
    pub(crate) fn flag_incoming(&self) {
        self.shared.incoming.store(true, Ordering::Release);
    }

    /// Clears what [`flag_incoming`](Self::flag_incoming) said, as the run
    /// looks.
    pub(crate) fn clear_incoming(&self) {
        self.shared.incoming.store(false, Ordering::Release);
    }
}

impl Deref for InboxGuard<'_> {
    type Target = Inbox;

    fn deref(&self) -> &Inbox {
        self.state.inbox.as_deref().expect("made with the guard")
    }
}

impl DerefMut for InboxGuard<'_> {
    fn deref_mut(&mut self) -> &mut Inbox {
        self.state
            .inbox
            .as_deref_mut()
            .expect("made with the guard")
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.shared.lock();
            state.closed = true;
            // What the caller sent is released with the run, not with the
            // handler; requests the run did not answer are answered with its
            // end.
            drop(state.inbox.take());
            state.reader_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Inlet {
    /// Notes that the caller cancels the run, before its task is aborted.
    pub(crate) fn cancel(&self) {
        self.shared.caller.fetch_or(CANCELLED, Ordering::AcqRel);
    }

    /// Notes that the caller let go of a durable run's handler, and wakes
    /// the run, which may park.
    pub(crate) fn let_go(&self) {
        self.shared.caller.fetch_or(LET_GO, Ordering::AcqRel);
        self.shared.run.wake();
    }

    /// Queues the store's inputs of `inputs` for the run (see
    /// [`Inbox::send_stored`]); `false` if the run has ended or parked.
    pub(crate) fn send_stored(&self, inputs: Vec<(u64, Sent)>) -> bool {
        let run = {
            let Some(mut inbox) = InboxGuard::open(&self.shared) else {
                return false;
            };
            let run = inbox.send_stored(inputs);
            inbox.flag_incoming();
            run
        };
        if let Some(run) = run {
            run.wake();
        }
        true
    }

    /// Sends `sent` into the run.
    ///
    /// # Errors
    ///
    /// [`SendError::RunEnded`] once the run has ended,
    /// [`SendError::InboxFull`] if its inbox is full.
    pub(crate) fn send(&self, sent: Sent, event: &'static str) -> Result<(), SendError> {
        let run = {
            let Some(mut inbox) = InboxGuard::open(&self.shared) else {
                return Err(SendError::RunEnded { event });
            };
            let run = inbox.send(sent)?;
            inbox.flag_incoming();
            run
        };
        if let Some(run) = run {
            run.wake();
        }
        Ok(())
    }

    /// Asks the run for `request`, unless it has ended (see
    /// [`control`](crate::control)).
    pub(crate) fn ask(&self, request: Request) -> Result<(), Request> {
        let Some(mut inbox) = InboxGuard::open(&self.shared) else {
            return Err(request);
        };
        inbox.ask(request);
        self.shared.asked.store(true, Ordering::Release);
        drop(inbox);
        self.shared.run.wake();
        Ok(())
    }

    /// What the run's inbox holds (see [`Inbox::size`]); 0 once the run
    /// has ended.
    pub(crate) fn inbox_size(&self) -> usize {
        self.shared
            .lock()
            .inbox
            .as_ref()
            .map_or(0, |inbox| inbox.size())
    }
}

impl Subscription {
    pub(crate) fn into_stream(self) -> EventStream {
        EventStream {
            shared: self.shared.clone(),
            batch: VecDeque::new(),
            next: 0,
            last: None,
            _subscription: self,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let (dropped, writers) = {
            let mut state = self.shared.lock();
            state.reader_gone = true;
            state.backlog.discard(&self.shared.full)
        };
        drop(dropped);
        writers.into_iter().for_each(Waker::wake);
    }
}

/// The events of one run, in the order steps wrote them, as a
/// [`Stream`](tokio_stream::Stream) of [`AnyEvent`].
///
/// It ends after the run's last event, whatever the outcome: a stop event (the
/// last item), a failure, a timeout or a cancellation. Events are queued
/// without bound, so a slow reader never holds a step up, unless the runner
/// bounds the stream ([`Runner::stream_capacity`](crate::Runner::stream_capacity));
/// dropping the stream discards what is queued and whatever the run writes
/// afterwards.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Step {
///     name: String,
/// }
///
/// struct Walk;
///
/// #[workflow_impl]
/// impl Walk {
///     #[step(writes(Step))]
///     async fn walk(&self, ctx: &Context<Self>, _start: StartEvent) -> StopEvent<u32> {
///         for name in ["left", "right"] {
///             ctx.write_event_to_stream(Step { name: name.into() });
///         }
///         StopEvent::new(2)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Walk.runner().run(StartEvent::new());
/// let names: Vec<&str> = handler.stream_events()?.map(|event| event.name()).collect().await;
/// assert_eq!(names, ["Step", "Step", "StopEvent"]);
/// assert_eq!(handler.await?, 2);
/// # Ok(())
/// # }
/// ```
pub struct EventStream {
    shared: Arc<Shared>,
    batch: VecDeque<AnyEvent>,
    /// The sequence number of the first event in `batch`.
    next: u64,
    /// The sequence number of the event yielded last.
    last: Option<u64>,
    _subscription: Subscription,
}

impl EventStream {
    /// The sequence number of the event this stream yielded last, `None`
    /// before the first. A run numbers the events it publishes 0, 1, 2...
    /// in order, and a run resumed from a snapshot goes on from the
    /// snapshot's [`next_sequence`](crate::RunSnapshot::next_sequence), so
    /// a reader of both sees each number once and none skipped. An
    /// [`EventsDropped`](crate::EventsDropped) has no number of its own: the
    /// numbers it skips are those of the events it counts.
    pub fn last_sequence(&self) -> Option<u64> {
        self.last
    }
}

impl Stream for EventStream {
    type Item = AnyEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<AnyEvent>> {
        let this = &mut *self;
        if let Some(event) = this.batch.pop_front() {
            this.last = Some(this.next);
            this.next += 1;
            return Poll::Ready(Some(event));
        }
        let mut state = this.shared.lock();
        let before = state.backlog.len();
        let (event, writers) = state.backlog.take(&mut this.batch, &this.shared.full);
        if let Some(event) = event {
            // What left the backlog: the event, and the batch behind it.
            let moved = before - state.backlog.len();
            if moved > 0 {
                this.last = Some(state.front);
                this.next = state.front + 1;
                state.front += moved as u64;
            }
            drop(state);
            writers.into_iter().for_each(Waker::wake);
            return Poll::Ready(Some(event));
        }
        if state.closed {
            return Poll::Ready(None);
        }
        if !state
            .reader_waker
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
        {
            state.reader_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("batched", &self.batch.len())
            .finish_non_exhaustive()
    }
}
