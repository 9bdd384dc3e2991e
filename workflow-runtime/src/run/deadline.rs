//! The timeout of a run, with a timer that is only registered once the run
//! waits.

use std::pin::Pin;
use std::task::Context as TaskContext;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// When a run must have ended by.
///
/// A run that finishes in its first poll never waits, so it never needs
/// a timer: the deadline is read from the clock when the run starts, and
/// the timer is only created, and registered with tokio's time driver,
/// the first time the run is about to wait. It is boxed then, out of the
/// run's task: tokio rounds a task up to a multiple of 128 bytes, and
/// the timer inline made every run's task 128 bytes larger, where boxed
/// it costs a waiting run 112 (and one allocation).
pub(crate) struct Deadline {
    at: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    /// A deadline `timeout` from now, or none.
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        Self {
            at: timeout.map(|timeout| Instant::now() + timeout),
            timer: None,
        }
    }

    /// The time left before the deadline; `None` without one.
    pub(crate) fn left(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed; if not, arranges for `cx` to be woken
    /// when it does. Call it each time the run is about to wait.
    ///
    /// A deadline already past (a run taken up after it) is seen at once,
    /// from the clock: tokio's timer would only fire on its next tick, and
    /// the run would wait, or park, meanwhile.
    pub(crate) fn poll_passed(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> bool {
        let this = self.get_mut();
        let Some(at) = this.at else {
            return false;
        };
        if this.timer.is_none() && Instant::now() >= at {
            return true;
        }
        this.timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)))
            .as_mut()
            .poll(cx)
            .is_ready()
    }
}
