//! Retries and step timeouts: how many attempts, how long between them
//! (checked on tokio's paused clock, which moves exactly to each timer), what
//! stops them, and what the run says when they run out.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepTimedOut};

const MS: Duration = Duration::from_millis(1);

/// A step that fails until its `succeed_on` attempt, noting when each
/// attempt began and which attempt its context said it was.
struct Flaky {
    succeed_on: u32,
    began: Mutex<Vec<(u32, Instant)>>,
}

impl Flaky {
    fn new(succeed_on: u32) -> Self {
        Self {
            succeed_on,
            began: Mutex::default(),
        }
    }

    /// The attempts' numbers, and the time between each and the next.
    fn attempts(&self) -> (Vec<u32>, Vec<Duration>) {
        let began = self.began.lock().unwrap();
        let numbers = began.iter().map(|(number, _)| *number).collect();
        let gaps = began.windows(2).map(|pair| pair[1].1 - pair[0].1).collect();
        (numbers, gaps)
    }

    fn attempt(&self, number: u32) -> Result<StopEvent<u32>> {
        self.began.lock().unwrap().push((number, Instant::now()));
        if number < self.succeed_on {
            anyhow::bail!("attempt {number} failed");
        }
        Ok(StopEvent::new(number))
    }
}

const FIXED: RetryPolicy = RetryPolicy::fixed(Duration::from_millis(100)).max_attempts(5);

#[workflow_impl]
impl Flaky {
    #[step(retry = FIXED)]
    async fn call(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.attempt(ctx.attempt())
    }
}

#[tokio::test(start_paused = true)]
async fn a_step_is_tried_again_after_the_delay_until_it_succeeds() {
    let runner = Flaky::new(3).runner();
    assert_eq!(runner.run(StartEvent::new()).await.unwrap(), 3);
    let (numbers, gaps) = runner.workflow().attempts();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(gaps, [MS * 100, MS * 100]);
}

#[tokio::test(start_paused = true)]
async fn when_the_attempts_run_out_the_error_says_how_many_were_made() {
    let runner = Flaky::new(u32::MAX).runner();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    assert_eq!(runner.workflow().attempts().0, [1, 2, 3, 4, 5]);
    assert_eq!(
        error.to_string(),
        "step `call` failed while handling `StartEvent` after 5 attempts"
    );
    let WorkflowError::StepFailed {
        attempts, source, ..
    } = &error
    else {
        panic!("expected a step failure, got {error:?}");
    };
    assert_eq!(*attempts, 5);
    assert_eq!(source.to_string(), "attempt 5 failed");
}

// --- a zero delay ------------------------------------------------------------------

const IMMEDIATE: RetryPolicy = RetryPolicy::fixed(Duration::ZERO);

struct Immediate {
    flaky: Flaky,
}

#[workflow_impl]
impl Immediate {
    #[step(retry = IMMEDIATE)]
    async fn call(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.flaky.attempt(ctx.attempt())
    }
}

#[test]
fn a_zero_delay_retries_at_once_without_arming_a_timer() {
    // A runtime without a time driver, and a run without a timeout: a
    // timer armed anywhere would panic the step.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let runner = Immediate {
        flaky: Flaky::new(3),
    }
    .runner()
    .without_timeout();
    let result = runtime.block_on(async { runner.run(StartEvent::new()).await });
    assert_eq!(result.unwrap(), 3);
    assert_eq!(runner.workflow().flaky.attempts().0, [1, 2, 3]);
}

// --- exponential delays, with and without jitter ------------------------------------

struct Backoff {
    flaky: Flaky,
}

const EXPONENTIAL: RetryPolicy = RetryPolicy::exponential(Duration::from_millis(10))
    .max_delay(Duration::from_millis(50))
    .max_attempts(5);

const JITTERED: RetryPolicy = EXPONENTIAL.jitter(0.5);

#[workflow_impl]
impl Backoff {
    #[step(retry = EXPONENTIAL)]
    async fn steady(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.flaky.attempt(ctx.attempt())
    }
}

struct Jittered {
    flaky: Flaky,
}

#[workflow_impl]
impl Jittered {
    #[step(retry = JITTERED)]
    async fn shaky(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.flaky.attempt(ctx.attempt())
    }
}

#[tokio::test(start_paused = true)]
async fn exponential_delays_double_up_to_their_cap() {
    let runner = Backoff {
        flaky: Flaky::new(5),
    }
    .runner();
    runner.run(StartEvent::new()).await.unwrap();
    let (_, gaps) = runner.workflow().flaky.attempts();
    assert_eq!(gaps, [MS * 10, MS * 20, MS * 40, MS * 50]);
}

#[tokio::test(start_paused = true)]
async fn jittered_delays_come_from_the_run_id_so_a_run_repeats_them() {
    let runner = Jittered {
        flaky: Flaky::new(5),
    }
    .runner();
    let handler = runner.run(StartEvent::new());
    // The seed is the run's id with its two halves xored, as
    // `RetryPolicy::delay_before` says.
    let id = handler.run_id().as_u128();
    let seed = (id ^ (id >> 64)) as u64;
    handler.await.unwrap();
    let (_, gaps) = runner.workflow().flaky.attempts();
    let expected: Vec<_> = (2..=5)
        .map(|next| JITTERED.delay_before(next, seed))
        .collect();
    assert_eq!(gaps, expected);
    let unjittered = [MS * 10, MS * 20, MS * 40, MS * 50];
    for (gap, base) in gaps.iter().zip(unjittered) {
        assert!(
            *gap >= base / 2 && *gap <= base * 3 / 2,
            "{gap:?} from {base:?}"
        );
    }
    assert_ne!(gaps, unjittered, "jitter moved the delays");
}

// --- what stops retries early ---------------------------------------------------------

struct Bounded {
    flaky: Flaky,
}

fn only_flaky(error: &anyhow::Error) -> bool {
    !error.to_string().contains("attempt 2")
}

const WITHIN: RetryPolicy = FIXED
    .max_attempts(10)
    .max_elapsed(Duration::from_millis(250));
const PICKY: RetryPolicy = FIXED.retry_if(only_flaky);

#[workflow_impl]
impl Bounded {
    #[step(retry = WITHIN)]
    async fn timed(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.flaky.attempt(ctx.attempt())
    }
}

struct Picky {
    flaky: Flaky,
}

#[workflow_impl]
impl Picky {
    #[step(retry = PICKY)]
    async fn picky(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.flaky.attempt(ctx.attempt())
    }
}

#[tokio::test(start_paused = true)]
async fn no_attempt_starts_whose_delay_ends_past_the_time_allowed() {
    let runner = Bounded {
        flaky: Flaky::new(u32::MAX),
    }
    .runner();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    // Attempts at 0, 100 and 200 ms; a fourth would begin at 300.
    assert_eq!(runner.workflow().flaky.attempts().0, [1, 2, 3]);
    assert!(matches!(
        error,
        WorkflowError::StepFailed { attempts: 3, .. }
    ));
}

#[tokio::test(start_paused = true)]
async fn an_error_the_predicate_refuses_fails_the_step_at_once() {
    let runner = Picky {
        flaky: Flaky::new(u32::MAX),
    }
    .runner();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    assert_eq!(runner.workflow().flaky.attempts().0, [1, 2]);
    assert!(matches!(
        error,
        WorkflowError::StepFailed { attempts: 2, .. }
    ));
}

// --- step timeouts ------------------------------------------------------------------------

/// A step whose first `slow` attempts take an hour.
struct Slow {
    slow: u32,
    flaky: Flaky,
}

fn timed_out(error: &anyhow::Error) -> bool {
    error.is::<StepTimedOut>()
}

const ON_TIMEOUT: RetryPolicy = FIXED.retry_if(timed_out);

#[workflow_impl]
impl Slow {
    #[step(timeout = Duration::from_secs(2))]
    async fn once(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.nap(ctx.attempt()).await
    }
}

struct SlowRetried {
    slow: Slow,
}

#[workflow_impl]
impl SlowRetried {
    #[step(timeout = Duration::from_secs(2), retry = ON_TIMEOUT)]
    async fn again(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        self.slow.nap(ctx.attempt()).await
    }
}

impl Slow {
    async fn nap(&self, attempt: u32) -> Result<StopEvent<u32>> {
        if attempt <= self.slow {
            tokio::time::sleep(Duration::from_secs(3_600)).await;
        }
        self.flaky.attempt(attempt)
    }
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_outlasts_the_step_timeout_fails_with_step_timed_out() {
    let began = Instant::now();
    let error = Slow {
        slow: 1,
        flaky: Flaky::new(1),
    }
    .runner()
    .run(StartEvent::new())
    .await
    .unwrap_err();
    assert_eq!(began.elapsed(), Duration::from_secs(2));
    let WorkflowError::StepFailed { step, source, .. } = &error else {
        panic!("expected a step failure, got {error:?}");
    };
    assert_eq!(*step, "once");
    assert_eq!(
        source.downcast_ref::<StepTimedOut>(),
        Some(&StepTimedOut {
            after: Duration::from_secs(2)
        })
    );
    assert_eq!(
        format!("{error}: {source}"),
        "step `once` failed while handling `StartEvent`: the step took longer than its timeout of 2s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_attempt_can_be_retried() {
    let began = Instant::now();
    let runner = SlowRetried {
        slow: Slow {
            slow: 2,
            flaky: Flaky::new(1),
        },
    }
    .runner();
    assert_eq!(runner.run(StartEvent::new()).await.unwrap(), 3);
    // Two attempts cut at 2 s, each followed by 100 ms, then a quick one.
    assert_eq!(began.elapsed(), MS * 4_200);
    assert_eq!(runner.workflow().slow.flaky.attempts().0, [3]);
}

// --- panics, and steps without a context -------------------------------------------

struct Panics;

#[workflow_impl]
impl Panics {
    #[step(retry = FIXED)]
    async fn boom(&self, _ev: StartEvent) -> Result<StopEvent<u32>> {
        panic!("not worth retrying")
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_not_retried() {
    let error = Panics.runner().run(StartEvent::new()).await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::StepPanicked { message, .. } if message == "not worth retrying"),
        "{error:?}"
    );
}

// --- what a retry knows of the attempts before it ----------------------------------

/// What an attempt saw of the attempts before it: how many failed, the last
/// error, when the last failed, and how long ago the first began.
type Seen = (u32, Option<(Vec<u32>, String, Duration, Duration)>);

struct Remembers {
    seen: Mutex<Vec<Seen>>,
}

#[workflow_impl]
impl Remembers {
    #[step(retry = FIXED)]
    async fn call(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<u32>> {
        let retrying = ctx.retrying().map(|retrying| {
            let failures = retrying.failures();
            (
                failures.iter().map(|failure| failure.attempt).collect(),
                retrying.last_error().to_string(),
                failures.last().unwrap().failed_after,
                retrying.elapsed(),
            )
        });
        self.seen.lock().unwrap().push((ctx.attempt(), retrying));
        if ctx.attempt() < 3 {
            anyhow::bail!("attempt {} failed", ctx.attempt());
        }
        Ok(StopEvent::new(ctx.attempt()))
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_sees_each_earlier_failure_its_error_and_the_time_since_the_first_attempt() {
    let runner = Remembers {
        seen: Mutex::default(),
    }
    .runner();
    assert_eq!(runner.run(StartEvent::new()).await.unwrap(), 3);
    let seen = runner.workflow().seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (1, None),
            (
                2,
                Some((vec![1], "attempt 1 failed".into(), Duration::ZERO, MS * 100))
            ),
            (
                3,
                Some((vec![1, 2], "attempt 2 failed".into(), MS * 100, MS * 200))
            ),
        ]
    );
}
