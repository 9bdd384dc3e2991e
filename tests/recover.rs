//! Error recovery: a step that catches another's final failure receives it
//! as a `StepFailedEvent` and may go on or stop, a bounded number of times.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use workflows::prelude::*;
use workflows::{RetryPolicy, StepFailedEvent};

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
async fn a_panic_is_caught_too_without_its_input() {
    let result = shop(Charge::Panic, false)
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap();
    assert_eq!(
        result,
        "refunded after charge failed on Order null: till jammed (1 attempts)"
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
        .downcast_ref::<workflows::WorkflowFailedEvent>()
        .unwrap();
    assert_eq!(failed.step.as_deref(), Some("rescue"));
}

#[test]
fn the_graph_shows_where_failures_go() {
    use workflows::graph::{Edge, EdgeKind, Graph};
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
