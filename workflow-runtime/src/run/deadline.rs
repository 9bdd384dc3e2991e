//! The timeout of a run, with a timer that is only registered once the run
//! waits.

use std::pin::Pin;
use std::task::Context as TaskContext;
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

pin_project! {
    /// When a run must have ended by.
    ///
    /// A run that finishes in its first poll never waits, so it never needs
    /// a timer: the deadline is read from the clock when the run starts, and
    /// the timer is only created, and registered with tokio's time driver,
    /// the first time the run is about to wait. It lives inline in the run's
    /// task, so a run that waits costs no extra allocation for it.
    pub(crate) struct Deadline {
        at: Option<Instant>,
        #[pin]
        timer: Option<Sleep>,
    }
}

impl Deadline {
    /// A deadline `timeout` from now, or none.
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        Self {
            at: timeout.map(|timeout| Instant::now() + timeout),
            timer: None,
        }
    }

    /// Whether the deadline has passed; if not, arranges for `cx` to be woken
    /// when it does. Call it each time the run is about to wait.
    /// The time left before the deadline; `None` without one.
    pub(crate) fn left(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    pub(crate) fn poll_passed(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> bool {
        let mut this = self.project();
        let Some(at) = *this.at else {
            return false;
        };
        if this.timer.is_none() {
            this.timer.set(Some(tokio::time::sleep_until(at)));
        }
        this.timer
            .as_pin_mut()
            .is_some_and(|timer| timer.poll(cx).is_ready())
    }
}
