//! [`RetryPolicy`]: when a step that failed runs again, and how long the run
//! waits before it does.

use std::fmt;
use std::time::Duration;

use crate::duration::HumanDuration;

/// How a step that returned an error is tried again, given as
/// `#[step(retry = ...)]`. Built with `const fn`s, as the attribute's value
/// is evaluated at compile time:
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::RetryPolicy;
///
/// // 100 ms, 200 ms, 400 ms, ... up to 5 s between attempts, each delay
/// // moved by up to a tenth either way, at most 6 attempts in all and no
/// // new attempt once 30 s have passed since the first began.
/// const FLAKY_API: RetryPolicy = RetryPolicy::exponential(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(5))
///     .jitter(0.1)
///     .max_attempts(6)
///     .max_elapsed(Duration::from_secs(30));
///
/// assert_eq!(FLAKY_API.max_attempts_allowed(), 6);
/// // Without jitter, the delay before attempt n + 1 is the same for every run.
/// let steady = RetryPolicy::exponential(Duration::from_millis(100));
/// assert_eq!(steady.delay_before(2, 7), Duration::from_millis(100));
/// assert_eq!(steady.delay_before(4, 7), Duration::from_millis(400));
/// ```
///
/// A step reads which attempt it is on with
/// [`StepContext::attempt`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.attempt). Once the attempts
/// run out, the run fails with
/// [`WorkflowError::StepFailed`](crate::WorkflowError::StepFailed), whose
/// `attempts` says how many were made.
#[derive(Clone, Copy)]
pub struct RetryPolicy {
    backoff: Backoff,
    max_attempts: u32,
    max_elapsed: Option<Duration>,
    jitter: f64,
    retry_if: Option<fn(&anyhow::Error) -> bool>,
}

#[derive(Clone, Copy, Debug)]
enum Backoff {
    Fixed(Duration),
    Exponential {
        initial: Duration,
        factor: u32,
        max: Duration,
    },
}

/// How many attempts a policy allows unless told otherwise, as LlamaIndex's
/// retry policies do.
const DEFAULT_MAX_ATTEMPTS: u32 = 3;

impl RetryPolicy {
    /// Waits `delay` before each new attempt.
    pub const fn fixed(delay: Duration) -> Self {
        Self::with(Backoff::Fixed(delay))
    }

    /// Waits `initial` before the second attempt, then twice as long before
    /// each next one (see [`factor`](Self::factor)), up to a minute (see
    /// [`max_delay`](Self::max_delay)).
    pub const fn exponential(initial: Duration) -> Self {
        Self::with(Backoff::Exponential {
            initial,
            factor: 2,
            max: Duration::from_secs(60),
        })
    }

    const fn with(backoff: Backoff) -> Self {
        Self {
            backoff,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_elapsed: None,
            jitter: 0.0,
            retry_if: None,
        }
    }

    /// Makes at most `attempts` attempts in all, the first one included;
    /// 3 unless set. At least 1.
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// Starts no new attempt whose delay would end more than `elapsed`
    /// after the first attempt began.
    pub const fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = Some(elapsed);
        self
    }

    /// For an exponential policy, multiplies each delay by `factor` for the
    /// next; ignored by a fixed one.
    pub const fn factor(mut self, factor: u32) -> Self {
        if let Backoff::Exponential { initial, max, .. } = self.backoff {
            self.backoff = Backoff::Exponential {
                initial,
                factor,
                max,
            };
        }
        self
    }

    /// For an exponential policy, never waits longer than `max` between
    /// attempts; ignored by a fixed one.
    pub const fn max_delay(mut self, max: Duration) -> Self {
        if let Backoff::Exponential {
            initial, factor, ..
        } = self.backoff
        {
            self.backoff = Backoff::Exponential {
                initial,
                factor,
                max,
            };
        }
        self
    }

    /// Moves each delay by up to `fraction` of itself, either way, to the
    /// millisecond: 0.1 turns 100 ms into anything from 90 to 110 ms. The amount comes from the
    /// run's id and the attempt, as [`delay_before`](Self::delay_before)
    /// says, so that runs that fail at once retry apart, and a run waits
    /// the same each time it is replayed with its id.
    /// Clamped to 0..=1.
    pub const fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction.clamp(0.0, 1.0);
        self
    }

    /// Tries again only after errors for which `retry` returns `true`; any
    /// other error fails the step at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use typed_workflows::anyhow;
    /// use typed_workflows::{RetryPolicy, StepTimedOut};
    ///
    /// fn timed_out(error: &anyhow::Error) -> bool {
    ///     error.is::<StepTimedOut>()
    /// }
    ///
    /// const ON_TIMEOUT: RetryPolicy =
    ///     RetryPolicy::fixed(Duration::from_secs(1)).retry_if(timed_out);
    /// ```
    pub const fn retry_if(mut self, retry: fn(&anyhow::Error) -> bool) -> Self {
        self.retry_if = Some(retry);
        self
    }

    /// How many attempts the policy allows, the first one included.
    pub const fn max_attempts_allowed(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `next` (2 for the first retry) of a
    /// step, in a run whose jitter is seeded with `seed`: the run's
    /// [`RunId`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.RunId.html), its two halves xored.
    pub fn delay_before(&self, next: u32, seed: u64) -> Duration {
        let retry = next.saturating_sub(2);
        let delay = match self.backoff {
            Backoff::Fixed(delay) => delay,
            Backoff::Exponential {
                initial,
                factor,
                max,
            } => factor
                .checked_pow(retry)
                .and_then(|scale| initial.checked_mul(scale))
                .map_or(max, |delay| delay.min(max)),
        };
        if self.jitter == 0.0 {
            return delay;
        }
        let spread = unit_interval(seed, next) * 2.0 - 1.0;
        let scaled = delay.as_secs_f64() * (1.0 + self.jitter * spread).max(0.0);
        let jittered = Duration::try_from_secs_f64(scaled).unwrap_or(Duration::MAX);
        // In whole milliseconds, the resolution of tokio's timer, so that
        // the wait is the delay said here.
        // The cast saturates, as a delay past u64 milliseconds may.
        Duration::from_millis((jittered.as_secs_f64() * 1_000.0).round() as u64)
    }

    /// Whether the step should run again after `error` ended attempt
    /// `attempt`, which began `elapsed` after the first: the policy allows
    /// another attempt, deems the error worth it, and the wait fits in the
    /// time allowed. `Some` with the wait if so.
    #[doc(hidden)]
    pub fn next_delay(
        &self,
        error: &anyhow::Error,
        attempt: u32,
        elapsed: Duration,
        seed: u64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || self.retry_if.is_some_and(|retry| !retry(error)) {
            return None;
        }
        let delay = self.delay_before(attempt + 1, seed);
        match self.max_elapsed {
            Some(max) if elapsed.saturating_add(delay) > max => None,
            _ => Some(delay),
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("backoff", &self.backoff)
            .field("max_attempts", &self.max_attempts)
            .field("max_elapsed", &self.max_elapsed)
            .field("jitter", &self.jitter)
            .field("retry_if", &self.retry_if.is_some())
            .finish()
    }
}

/// The policy for a person, as the drawing of a graph shows it: `3 attempts,
/// 1 s apart`, `6 attempts, waiting 100 ms then ×2 each time, up to 5 s,
/// ±10 %, none starting after 30 s, only after errors it picks`.
impl fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} attempts", self.max_attempts)?;
        match self.backoff {
            Backoff::Fixed(delay) => write!(f, ", {} apart", HumanDuration(delay))?,
            Backoff::Exponential {
                initial,
                factor,
                max,
            } => write!(
                f,
                ", waiting {} then ×{factor} each time, up to {}",
                HumanDuration(initial),
                HumanDuration(max)
            )?,
        }
        if self.jitter > 0.0 {
            write!(f, ", ±{} %", (self.jitter * 100.0).round())?;
        }
        if let Some(elapsed) = self.max_elapsed {
            write!(f, ", none starting after {}", HumanDuration(elapsed))?;
        }
        if self.retry_if.is_some() {
            f.write_str(", only after errors it picks")?;
        }
        Ok(())
    }
}

/// A number in `0.0..1.0` that depends only on `seed` and `salt`
/// (splitmix64's finaliser).
fn unit_interval(seed: u64, salt: u32) -> f64 {
    let mut z = seed ^ u64::from(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits, as many as an f64 holds exactly.
    (z >> 11) as f64 / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_policy_reads_as_a_sentence() {
        assert_eq!(
            RetryPolicy::fixed(MS * 1_000).to_string(),
            "3 attempts, 1 s apart"
        );
        let flaky = RetryPolicy::exponential(MS * 100)
            .max_delay(MS * 5_000)
            .jitter(0.1)
            .max_attempts(6)
            .max_elapsed(MS * 30_000)
            .retry_if(|_| true);
        assert_eq!(
            flaky.to_string(),
            "6 attempts, waiting 100 ms then ×2 each time, up to 5 s, ±10 %, \
             none starting after 30 s, only after errors it picks"
        );
    }

    #[test]
    fn fixed_delays_are_all_the_same() {
        let policy = RetryPolicy::fixed(MS * 250);
        assert_eq!(policy.delay_before(2, 1), MS * 250);
        assert_eq!(policy.delay_before(9, 1), MS * 250);
    }

    #[test]
    fn exponential_delays_grow_by_the_factor_up_to_the_cap() {
        let policy = RetryPolicy::exponential(MS * 10)
            .factor(3)
            .max_delay(MS * 200);
        let delays: Vec<_> = (2..=6).map(|next| policy.delay_before(next, 0)).collect();
        assert_eq!(delays, [MS * 10, MS * 30, MS * 90, MS * 200, MS * 200]);
        // An overflowing power stays at the cap.
        assert_eq!(policy.delay_before(200, 0), MS * 200);
    }

    #[test]
    fn jitter_stays_within_its_fraction_and_repeats_for_the_same_seed() {
        let policy = RetryPolicy::fixed(MS * 1_000).jitter(0.25);
        let mut differ = false;
        for seed in 0..200 {
            let delay = policy.delay_before(2, seed);
            assert!(delay >= MS * 750 && delay <= MS * 1_250, "{delay:?}");
            assert_eq!(delay, policy.delay_before(2, seed));
            differ |= delay != policy.delay_before(3, seed);
        }
        assert!(differ, "the attempt changes the jitter");
    }

    #[test]
    fn attempts_elapsed_time_and_the_predicate_bound_the_retries() {
        let error = anyhow::anyhow!("boom");
        let policy = RetryPolicy::fixed(MS * 100).max_attempts(3);
        assert_eq!(
            policy.next_delay(&error, 1, Duration::ZERO, 0),
            Some(MS * 100)
        );
        assert_eq!(policy.next_delay(&error, 3, Duration::ZERO, 0), None);

        let timed = policy.max_elapsed(MS * 250);
        assert_eq!(timed.next_delay(&error, 2, MS * 150, 0), Some(MS * 100));
        assert_eq!(timed.next_delay(&error, 2, MS * 151, 0), None);

        let picky = policy.retry_if(|error| error.to_string() == "flaky");
        assert_eq!(picky.next_delay(&error, 1, Duration::ZERO, 0), None);
        let flaky = anyhow::anyhow!("flaky");
        assert_eq!(
            picky.next_delay(&flaky, 1, Duration::ZERO, 0),
            Some(MS * 100)
        );
        assert_eq!(
            RetryPolicy::fixed(MS)
                .max_attempts(0)
                .max_attempts_allowed(),
            1
        );
        // Delays too long to add up do not overflow.
        let endless = RetryPolicy::fixed(Duration::MAX)
            .jitter(0.5)
            .max_elapsed(MS);
        assert_eq!(endless.next_delay(&error, 1, MS, 3), None);
    }
}
