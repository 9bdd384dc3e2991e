//! What one invocation of a step received from the run's caller, and which
//! attempt it is on: a step retried under `#[step(retry = ...)]` gets the
//! answers its earlier attempt received, wait by wait, rather than asking
//! again, and so does an invocation in flight in a snapshot when it runs
//! again on resume. Durable runs will answer a re-run step's waits from
//! the same record.

use std::sync::{Mutex, MutexGuard};

use crate::event::{AnyEvent, Event};

/// The answers of one invocation of a step that waits for input, by the
/// order of its waits, and the invocation's attempt. Made by the run for
/// each invocation of a step that waits for input or is retried, shared
/// with the invocation's future; its address also tells the invocation's
/// waits apart from those of other invocations.
#[doc(hidden)]
#[derive(Default)]
pub struct Answers {
    record: Mutex<Record>,
}

#[derive(Default)]
struct Record {
    /// The attempt whose waits are being counted: 0 before the first.
    attempt: u32,
    /// How many waits that attempt has begun.
    begun: usize,
    /// The answer to each wait, by its position in the attempt; `None`
    /// for a wait that has not been answered.
    received: Vec<Option<AnyEvent>>,
}

/// A wait's position in its attempt, and its answer from an earlier
/// attempt, if there was one.
pub(crate) struct Position<E> {
    nth: usize,
    pub(crate) earlier: Option<E>,
}

impl Answers {
    /// The record a snapshot held of an invocation in flight: on `attempt`,
    /// with `received`, the answers to its waits by their order.
    pub(crate) fn resumed(attempt: u32, received: Vec<Option<AnyEvent>>) -> Self {
        Self {
            record: Mutex::new(Record {
                attempt,
                begun: 0,
                received,
            }),
        }
    }

    /// The attempt the invocation is on, 1 for the first; what a snapshot
    /// records.
    pub(crate) fn attempt(&self) -> u32 {
        self.lock().attempt.max(1)
    }

    /// The answers so far, by the order of the waits.
    pub(crate) fn received(&self) -> Vec<Option<AnyEvent>> {
        self.lock().received.clone()
    }

    /// Notes that the invocation begins `attempt`.
    pub(crate) fn begin_attempt(&self, attempt: u32) {
        let mut record = self.lock();
        if record.attempt != attempt {
            record.attempt = attempt;
            record.begun = 0;
        }
    }

    /// Identifies the invocation while it lives.
    pub(crate) fn key(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Begins the next wait of `attempt`, for an `E`: the answer the same
    /// wait of an earlier attempt received, if it was an `E`.
    pub(crate) fn begin<E: Event>(&self, attempt: u32) -> Position<E> {
        self.begin_attempt(attempt);
        let mut record = self.lock();
        let nth = record.begun;
        record.begun += 1;
        let earlier = record
            .received
            .get(nth)
            .and_then(Option::as_ref)
            .and_then(|answer| answer.downcast_ref::<E>())
            .cloned();
        Position { nth, earlier }
    }

    /// Keeps `answer`, received by the wait at `position`, for the waits at
    /// that position in later attempts.
    pub(crate) fn answered<E: Event>(&self, position: &Position<E>, answer: &E) {
        let mut record = self.lock();
        if record.received.len() <= position.nth {
            record.received.resize_with(position.nth + 1, || None);
        }
        record.received[position.nth] = Some(AnyEvent::new(answer.clone()));
    }

    fn lock(&self) -> MutexGuard<'_, Record> {
        // Nothing panics while the lock is held.
        self.record
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}
