//! Error recovery: a step that catches another's final failure receives it
//! as a `StepFailedEvent` and may go on or stop, a bounded number of times.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::{RetryPolicy, StepFailedEvent};

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Order {
    id: u32,
}

/// What `charge` does with an order.
#[derive(Clone, Copy)]
enum Charge {
    Fail,
    Panic,
}

/// `charge` fails; `refund` catches its failures and either stops or, to
/// test the bound, tries the order again.
struct Shop {
    charge: Charge,
    retry_in_refund: bool,
    charged: AtomicU32,
}

fn shop(charge: Charge, retry_in_refund: bool) -> Shop {
    Shop {
        charge,
        retry_in_refund,
        charged: AtomicU32::new(0),
    }
}

const TWICE: RetryPolicy = RetryPolicy::fixed(Duration::from_millis(10)).max_attempts(2);

#[derive(Debug, OneOf)]
enum Refunded {
    Again(Order),
    Done(StopEvent<String>),
}

#[workflow_impl]
impl Shop {
    #[step]
    async fn open(&self, _ev: StartEvent) -> Order {
        Order { id: 7 }
    }

    #[step(retry = TWICE)]
    async fn charge(&self, order: Order) -> Result<StopEvent<String>> {
        self.charged.fetch_add(1, Ordering::Relaxed);
        match self.charge {
            Charge::Fail => anyhow::bail!("card declined for order {}", order.id),
            Charge::Panic => panic!("till jammed"),
        }
    }

    #[step(catches(charge), max_recoveries = 2)]
    async fn refund(&self, failed: StepFailedEvent) -> Refunded {
        if self.retry_in_refund {
            return Refunded::Again(Order { id: 8 });
        }
        Refunded::Done(StopEvent::new(format!(
            "refunded after {} failed on {} {}: {} ({} attempts)",
            failed.step, failed.event, failed.input, failed.error, failed.attempts
        )))
    }
}

#[tokio::test(start_paused = true)]
async fn a_recovery_step_turns_a_failure_into_a_stop() {
    let runner = shop(Charge::Fail, false).runner();
    assert_eq!(
        runner.run(StartEvent::new()).await.unwrap(),
        r#"refunded after charge failed on Order {"id":7}: card declined for order 7 (2 attempts)"#
    );
    assert_eq!(runner.workflow().charged.load(Ordering::Relaxed), 2);
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_caught_too_with_its_input() {
    let result = shop(Charge::Panic, false)
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap();
    assert_eq!(
        result,
        r#"refunded after charge failed on Order {"id":7}: till jammed (1 attempts)"#
    );
}

#[tokio::test(start_paused = true)]
async fn recoveries_are_bounded_and_then_the_original_error_fails_the_run() {
    let runner = shop(Charge::Fail, true).runner();
    let error = runner.run(StartEvent::new()).await.unwrap_err();
    // The first charge and the two the refunds sent again, 2 attempts each.
    assert_eq!(runner.workflow().charged.load(Ordering::Relaxed), 6);
    let WorkflowError::StepFailed {
        step,
        attempts,
        source,
        ..
    } = &error
    else {
        panic!("expected the charge to fail the run, got {error:?}");
    };
    assert_eq!((*step, *attempts), ("charge", 2));
    assert_eq!(source.to_string(), "card declined for order 8");
}

// --- a recovery step that fails ---------------------------------------------------

struct Hopeless;

#[workflow_impl]
impl Hopeless {
    #[step]
    async fn work(&self, _ev: StartEvent) -> Result<StopEvent<()>> {
        anyhow::bail!("first failure")
    }

    #[step(catches(work))]
    async fn rescue(&self, failed: StepFailedEvent) -> Result<StopEvent<()>> {
        anyhow::bail!("could not rescue: {}", failed.error)
    }
}

#[tokio::test]
async fn a_recovery_step_that_fails_fails_the_run_naming_itself() {
    let mut handler = Hopeless.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let error = handler.await.unwrap_err();
    assert_eq!(
        format!("{:#}", anyhow::Error::from(error)),
        "step `rescue` failed while handling `StepFailedEvent`: could not rescue: first failure"
    );
    let last = events.next().await.unwrap();
    let failed = last
        .downcast_ref::<typed_workflows::WorkflowFailedEvent>()
        .unwrap();
    assert_eq!(failed.step.as_deref(), Some("rescue"));
}

#[test]
fn the_graph_shows_where_failures_go() {
    use typed_workflows::graph::{Edge, EdgeKind, Graph};
    let graph = Graph::of::<Shop>();
    let failed = graph
        .events
        .iter()
        .position(|event| event.name == "StepFailedEvent")
        .expect("the catching step's event is in the graph");
    assert!(graph.edges.contains(&Edge {
        step: 1,
        event: failed,
        kind: EdgeKind::Fails,
    }));
    assert!(graph.edges.contains(&Edge {
        step: 2,
        event: failed,
        kind: EdgeKind::Accepts,
    }));
    assert!(
        graph
            .to_mermaid()
            .contains(&format!("s1 -. fails .-> e{failed}"))
    );
}

// --- what the catching step learns: attempts, times, input ----------------------------

/// `flaky` fails, then panics on its second attempt if told to; `note`
/// keeps what it catches.
struct Noted {
    panic_on_retry: bool,
    caught: std::sync::Mutex<Option<StepFailedEvent>>,
}

fn noted(panic_on_retry: bool) -> Noted {
    Noted {
        panic_on_retry,
        caught: std::sync::Mutex::new(None),
    }
}

const THREE: RetryPolicy = RetryPolicy::fixed(Duration::from_millis(10)).max_attempts(3);

#[workflow_impl]
impl Noted {
    #[step]
    async fn open(&self, _ev: StartEvent) -> Order {
        Order { id: 3 }
    }

    #[step(retry = THREE)]
    async fn flaky(&self, ctx: &Context<Self>, order: Order) -> Result<StopEvent<String>> {
        if self.panic_on_retry && ctx.attempt() == 2 {
            panic!("jammed on attempt 2");
        }
        anyhow::bail!("order {} declined on attempt {}", order.id, ctx.attempt())
    }

    #[step(catches(flaky))]
    async fn note(&self, failed: StepFailedEvent) -> StopEvent<String> {
        let error = failed.error.clone();
        *self.caught.lock().unwrap() = Some(failed);
        StopEvent::new(error)
    }
}

fn failures(failed: &StepFailedEvent) -> Vec<(u32, Duration, &str)> {
    failed
        .failures
        .iter()
        .map(|failure| {
            (
                failure.attempt,
                failure.failed_after,
                failure.error.as_str(),
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_catching_step_learns_when_each_attempt_failed_and_how_long_it_all_took() {
    let runner = noted(false).runner();
    let result = runner.run(StartEvent::new()).await.unwrap();
    assert_eq!(result, "order 3 declined on attempt 3");
    let failed = runner.workflow().caught.lock().unwrap().take().unwrap();
    assert_eq!(failed.attempts, 3);
    assert!(!failed.panicked);
    let ms = Duration::from_millis;
    assert_eq!(
        failures(&failed),
        [
            (1, ms(0), "order 3 declined on attempt 1"),
            (2, ms(10), "order 3 declined on attempt 2"),
            (3, ms(20), "order 3 declined on attempt 3"),
        ]
    );
    assert_eq!(failed.elapsed, ms(20));
    assert_eq!(failed.input, serde_json::json!({ "id": 3 }));
    assert_eq!(failed.input_error, None);
}

#[tokio::test(start_paused = true)]
async fn a_panic_on_a_retry_ends_the_attempts_and_counts_as_one() {
    let runner = noted(true).runner();
    assert_eq!(
        runner.run(StartEvent::new()).await.unwrap(),
        "jammed on attempt 2"
    );
    let failed = runner.workflow().caught.lock().unwrap().take().unwrap();
    assert_eq!((failed.attempts, failed.panicked), (2, true));
    let ms = Duration::from_millis;
    assert_eq!(
        failures(&failed),
        [
            (1, ms(0), "order 3 declined on attempt 1"),
            (2, ms(10), "jammed on attempt 2"),
        ]
    );
}

struct Uncaught;

#[workflow_impl]
impl Uncaught {
    #[step(retry = THREE)]
    async fn flaky(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<()>> {
        if ctx.attempt() == 2 {
            panic!("jammed on attempt 2");
        }
        anyhow::bail!("declined")
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_on_a_retry_that_nothing_catches_fails_the_run_as_a_panic() {
    let error = Uncaught.runner().run(StartEvent::new()).await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::StepPanicked { step: "flaky", message, .. } if message == "jammed on attempt 2"),
        "{error:?}"
    );
}

/// An event that serde cannot turn into JSON: its map's keys are not
/// strings.
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Grid {
    cells: std::collections::BTreeMap<(u32, u32), String>,
}

struct Painter;

#[workflow_impl]
impl Painter {
    #[step]
    async fn open(&self, _ev: StartEvent) -> Grid {
        Grid {
            cells: [((0, 0), "red".to_owned())].into(),
        }
    }

    #[step]
    async fn paint(&self, grid: Grid) -> Result<StopEvent<String>> {
        anyhow::bail!("out of paint for {} cells", grid.cells.len())
    }

    #[step(catches(paint))]
    async fn report(&self, failed: StepFailedEvent) -> StopEvent<String> {
        StopEvent::new(format!(
            "{} / {:?}: {}",
            failed.input, failed.input_error, failed.error
        ))
    }
}

#[tokio::test]
async fn an_input_that_cannot_be_serialized_reaches_the_catching_step_with_the_reason() {
    let result = Painter.runner().run(StartEvent::new()).await.unwrap();
    assert_eq!(
        result,
        r#"null / Some("key must be a string"): out of paint for 1 cells"#
    );
}

// --- a step that catches every other step's failures ---------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct JobA;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct JobB;

/// `begin` starts `work_a` or `work_b`, as the start event's `job` says
/// (and fails without one); `rescue_a` catches `work_a`, `rescue_any` the
/// rest. With `twice`, `begin` starts `work_a` twice and `rescue_a` goes
/// on after its one recovery.
struct Catching {
    twice: bool,
}

#[workflow_impl]
impl Catching {
    #[step(sends(JobA, JobB))]
    async fn begin(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
        match start.get::<String>("job")?.as_str() {
            "a" if self.twice => {
                ctx.send_event(JobA);
                ctx.send_event(JobA);
            }
            "a" => ctx.send_event(JobA),
            _ => ctx.send_event(JobB),
        }
        Ok(())
    }

    #[step]
    async fn work_a(&self, _ev: JobA) -> Result<StopEvent<String>> {
        anyhow::bail!("a broke")
    }

    #[step]
    async fn work_b(&self, _ev: JobB) -> Result<StopEvent<String>> {
        anyhow::bail!("b broke")
    }

    #[step(catches(work_a))]
    async fn rescue_a(&self, failed: StepFailedEvent) -> Option<StopEvent<String>> {
        (!self.twice).then(|| StopEvent::new(format!("rescue_a caught {}", failed.step)))
    }

    #[step(catches(*))]
    async fn rescue_any(&self, failed: StepFailedEvent) -> StopEvent<String> {
        StopEvent::new(format!(
            "rescue_any caught {}: {}",
            failed.step, failed.error
        ))
    }
}

async fn run_job(twice: bool, start: StartEvent) -> Result<String, WorkflowError> {
    Catching { twice }.runner().run(start).await
}

#[tokio::test]
async fn a_step_named_in_catches_goes_to_its_catcher_and_every_other_to_the_catch_all() {
    let job = |name: &str| StartEvent::new().with("job", name);
    assert_eq!(
        run_job(false, job("a")).await.unwrap(),
        "rescue_a caught work_a"
    );
    assert_eq!(
        run_job(false, job("b")).await.unwrap(),
        "rescue_any caught work_b: b broke"
    );
    assert_eq!(
        run_job(false, StartEvent::new()).await.unwrap(),
        "rescue_any caught begin: the start event has no value named `job` (it has: )"
    );
}

#[tokio::test]
async fn a_named_catcher_past_its_recoveries_fails_the_run_without_the_catch_all() {
    let error = run_job(true, StartEvent::new().with("job", "a"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WorkflowError::StepFailed { step: "work_a", .. }),
        "{error:?}"
    );
}

#[test]
fn the_graph_draws_where_the_catch_all_takes_failures_from() {
    use typed_workflows::graph::{EdgeKind, Graph};
    let graph = Graph::of::<Catching>();
    let mut failing: Vec<&str> = graph
        .edges
        .iter()
        .filter(|edge| edge.kind == EdgeKind::Fails)
        .map(|edge| graph.steps[edge.step].name)
        .collect();
    failing.sort_unstable();
    // The catching steps' own failures fail the run.
    assert_eq!(failing, ["begin", "work_a", "work_b"]);
}

// --- a caught step that gathers a fan-out --------------------------------------------

struct Batch;

#[workflow_impl]
impl Batch {
    #[step]
    async fn split(&self, _ev: StartEvent) -> Vec<Order> {
        (1..=2).map(|id| Order { id }).collect()
    }

    #[step]
    async fn settle(&self, orders: Vec<Order>) -> Result<StopEvent<String>> {
        anyhow::bail!("cannot settle {} orders", orders.len())
    }

    #[step(catches(*))]
    async fn report(&self, failed: StepFailedEvent) -> StopEvent<String> {
        StopEvent::new(format!(
            "{} on {}: {}",
            failed.step, failed.input, failed.error
        ))
    }
}

#[tokio::test]
async fn a_caught_step_that_gathers_hands_its_catcher_the_events_it_gathered() {
    assert_eq!(
        Batch.runner().run(StartEvent::new()).await.unwrap(),
        r#"settle on [{"id":1},{"id":2}]: cannot settle 2 orders"#
    );
}
