//! What one invocation of a step received from the run's caller, kept for
//! the invocation's later attempts: a step retried under
//! `#[step(retry = ...)]` gets the answers its earlier attempt received,
//! wait by wait, rather than asking again. Durable runs will answer a
//! re-run step's waits from the same record.

use std::sync::{Mutex, MutexGuard};

use workflow_model::{AnyEvent, Event};

/// The answers of one invocation of a step that waits for input, by the
/// order of its waits. Made by the code `workflow!` generates, once per
/// invocation; its address also tells the invocation's waits apart from
/// those of other invocations.
#[doc(hidden)]
pub struct Answers {
    /// Whether the answers are kept: only a step that may be retried needs
    /// them.
    keeps: bool,
    record: Mutex<Record>,
}

#[derive(Default)]
struct Record {
    /// The attempt whose waits are being counted.
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
    /// The record of an invocation; `keeps` for a step that may be retried.
    pub fn new(keeps: bool) -> Self {
        Self {
            keeps,
            record: Mutex::default(),
        }
    }

    /// Identifies the invocation while it lives.
    pub(crate) fn key(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Begins the next wait of `attempt`, for an `E`: the answer the same
    /// wait of an earlier attempt received, if it was an `E`.
    pub(crate) fn begin<E: Event>(&self, attempt: u32) -> Position<E> {
        let mut record = self.lock();
        if record.attempt != attempt {
            record.attempt = attempt;
            record.begun = 0;
        }
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
    pub(crate) fn received<E: Event>(&self, position: &Position<E>, answer: &E) {
        if !self.keeps {
            return;
        }
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
