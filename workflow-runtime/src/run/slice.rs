//! How long one poll of a run may go on before it yields its thread.

use std::time::{Duration, Instant};

/// How many invocations a poll starts between two looks at the clock.
const CHECK_EVERY: u32 = 256;

/// How long a poll may run steps that never wait before it yields: the upper
/// end of what tokio's documentation calls a reasonable time between two
/// `.await`s.
const LENGTH: Duration = Duration::from_micros(100);

/// The time slice of one poll of a run.
///
/// Yielding hands the task back to the scheduler, which on a multi-thread
/// runtime wakes an idle worker that may then take the task over; that costs
/// microseconds, so the run yields by the clock rather than every few hundred
/// invocations. The clock is real time (not tokio's, which a test may pause)
/// and is read only once every [`CHECK_EVERY`] invocations, so short polls
/// never read it.
pub(crate) struct TimeSlice {
    countdown: u32,
    started: Option<Instant>,
}

impl TimeSlice {
    /// The slice of a poll that begins now.
    pub(crate) fn new() -> Self {
        Self {
            countdown: CHECK_EVERY,
            started: None,
        }
    }

    /// Counts one invocation; says whether the poll has used up its slice.
    pub(crate) fn spend(&mut self) -> bool {
        self.countdown -= 1;
        if self.countdown > 0 {
            return false;
        }
        self.countdown = CHECK_EVERY;
        // The slice is timed from the first look at the clock, so a poll
        // runs at least one more round of invocations after it.
        let started = *self.started.get_or_insert_with(Instant::now);
        started.elapsed() >= LENGTH
    }
}
