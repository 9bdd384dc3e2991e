//! What one invocation of a step received from the run's caller, what its
//! effects returned, and which attempt it is on: a step retried under
//! `#[step(retry = ...)]` gets the answers its earlier attempt received,
//! wait by wait, rather than asking again, and so does an invocation in
//! flight in a snapshot when it runs again on resume. The results of its
//! effects ([`StepContext::once`](crate::StepContext::once)) belong to one
//! attempt: a re-run of that attempt gets them, a retry runs them again.

use std::sync::{Mutex, MutexGuard};

use workflow_model::{AnyEvent, Event};

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
    /// How many effects the attempt has begun.
    effects_begun: usize,
    /// The result of each effect of the attempt, as JSON, by its position
    /// in the attempt; `None` for one that has not finished.
    effects: Vec<Option<serde_json::Value>>,
}

/// A wait's position in its attempt, and its answer from an earlier
/// attempt, if there was one.
pub(crate) struct Position<E> {
    nth: usize,
    pub(crate) earlier: Option<E>,
}

impl<E> Position<E> {
    /// Where the wait stands among the attempt's waits: 0 for the first.
    pub(crate) fn nth(&self) -> usize {
        self.nth
    }
}

impl Answers {
    /// The record a snapshot held of an invocation in flight: on `attempt`,
    /// with `received`, the answers to its waits by their order, and
    /// `effects`, the results of the attempt's effects by theirs.
    pub(crate) fn resumed(
        attempt: u32,
        received: Vec<Option<AnyEvent>>,
        effects: Vec<Option<serde_json::Value>>,
    ) -> Self {
        Self {
            record: Mutex::new(Record {
                attempt,
                received,
                effects,
                ..Record::default()
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

    /// The results of the attempt's effects so far, by their order.
    pub(crate) fn effects(&self) -> Vec<Option<serde_json::Value>> {
        self.lock().effects.clone()
    }

    /// Notes that the invocation begins `attempt`: a new attempt counts its
    /// waits from the first again, and runs its effects again.
    pub(crate) fn begin_attempt(&self, attempt: u32) {
        let mut record = self.lock();
        if record.attempt != attempt {
            record.attempt = attempt;
            record.begun = 0;
            record.effects_begun = 0;
            record.effects.clear();
        }
    }

    /// Begins the next effect of `attempt`: its position, and the result it
    /// had when this attempt ran before, if it finished then.
    pub(crate) fn begin_effect(&self, attempt: u32) -> (usize, Option<serde_json::Value>) {
        self.begin_attempt(attempt);
        let mut record = self.lock();
        let nth = record.effects_begun;
        record.effects_begun += 1;
        (nth, record.effects.get(nth).cloned().flatten())
    }

    /// Keeps `result`, what the effect at position `nth` returned.
    pub(crate) fn effect_done(&self, nth: usize, result: serde_json::Value) {
        let mut record = self.lock();
        if record.effects.len() <= nth {
            record.effects.resize_with(nth + 1, || None);
        }
        record.effects[nth] = Some(result);
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
