//! The invocations of a run that are ready to start, first in first out.
//!
//! Most runs have one ready invocation at a time: a chain of steps, each
//! routing one event to the next. The queue keeps its oldest entry inline,
//! so such a run never allocates for it; a second entry waiting beside it
//! goes into a `VecDeque`, made when first needed.

use std::collections::VecDeque;

/// A first-in-first-out queue that holds its oldest entry inline.
pub(crate) struct ReadyQueue<T> {
    /// The oldest entry, if any. Only `None` while `rest` is empty too,
    /// except between a `pop_front` and the next push.
    first: Option<T>,
    /// The entries after `first`, oldest first.
    rest: VecDeque<T>,
}

impl<T> ReadyQueue<T> {
    pub(crate) const fn new() -> Self {
        Self {
            first: None,
            rest: VecDeque::new(),
        }
    }

    #[inline]
    pub(crate) fn push_back(&mut self, entry: T) {
        // `first` is older than all of `rest`, so it may take a new entry
        // only when `rest` is empty.
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(entry);
        } else {
            self.rest.push_back(entry);
        }
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        self.first.take().or_else(|| self.rest.pop_front())
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none() && self.rest.is_empty()
    }

    /// The entries, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.first.iter().chain(self.rest.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::ReadyQueue;

    /// Pushes and pops in every interleaving of a short script, against a
    /// `VecDeque` that does the same.
    #[test]
    fn keeps_the_order_of_a_vecdeque() {
        // Each bit of a script says push (1) or pop (0).
        for script in 0u32..1 << 10 {
            let mut queue = ReadyQueue::new();
            let mut model = std::collections::VecDeque::new();
            for at in 0..10 {
                if script >> at & 1 == 1 {
                    queue.push_back(at);
                    model.push_back(at);
                } else {
                    assert_eq!(queue.pop_front(), model.pop_front(), "script {script:#b}");
                }
                assert_eq!(queue.is_empty(), model.is_empty());
                assert!(queue.iter().eq(model.iter()), "script {script:#b}");
            }
        }
    }

    #[test]
    fn one_entry_at_a_time_never_allocates() {
        let mut queue = ReadyQueue::new();
        for entry in 0..100 {
            queue.push_back(entry);
            assert_eq!(queue.pop_front(), Some(entry));
        }
        assert_eq!(queue.rest.capacity(), 0);
    }
}
