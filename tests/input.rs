//! Human in the loop: a step waits for an event from the run's caller and
//! is resumed in place; the caller sends events while it streams; waits
//! time out and filter; input events are entry points of the graph.

mod examples;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;
use typed_workflows::prelude::*;
use typed_workflows::{
    EventStream, HumanResponseEvent, InputRequiredEvent, SendError, WaitTimedOut,
};

/// Asks for a name, then for a colour, in one invocation.
struct Survey {
    /// How many times `ask` began.
    began: AtomicU32,
    wait: Option<Duration>,
}

impl Survey {
    fn new(wait: Option<Duration>) -> Self {
        Self {
            began: AtomicU32::new(0),
            wait,
        }
    }
}

#[workflow_impl]
impl Survey {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        self.began.fetch_add(1, Ordering::Relaxed);
        let mut answers = Vec::new();
        for question in ["name", "colour"] {
            let mut wait = ctx
                .wait_for_event::<HumanResponseEvent>()
                .publishing(InputRequiredEvent {
                    prefix: format!("Your {question}: "),
                })
                .matching(|answer| !answer.response.is_empty());
            if let Some(after) = self.wait {
                wait = wait.timeout(after);
            }
            answers.push(wait.await?.response);
        }
        Ok(StopEvent::new(answers.join(" likes ")))
    }
}

/// The prefix of the next event, which must ask for input.
async fn next_question(events: &mut EventStream) -> String {
    let event = events.next().await.expect("a question");
    let asked = event.downcast_ref::<InputRequiredEvent>();
    asked
        .unwrap_or_else(|| panic!("expected a question, got {event:?}"))
        .prefix
        .clone()
}

fn answer(text: &str) -> HumanResponseEvent {
    HumanResponseEvent {
        response: text.into(),
    }
}

#[tokio::test]
async fn the_caller_answers_while_streaming_and_the_step_resumes_where_it_waited() {
    let runner = Survey::new(None).runner();
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(next_question(&mut events).await, "Your name: ");
    // An empty answer does not pass the step's filter: it waits on.
    handler.send_event(answer("")).unwrap();
    handler.send_event(answer("Ada")).unwrap();
    assert_eq!(next_question(&mut events).await, "Your colour: ");
    handler.send_event(answer("teal")).unwrap();
    assert!(events.next().await.unwrap().is::<StopEvent<String>>());
    assert!(events.next().await.is_none());
    assert_eq!(handler.await.unwrap(), "Ada likes teal");
    assert_eq!(runner.workflow().began.load(Ordering::Relaxed), 1);
}

#[tokio::test(start_paused = true)]
async fn a_wait_without_an_answer_times_out_and_fails_the_step() {
    let began = Instant::now();
    let mut handler = Survey::new(Some(Duration::from_secs(5)))
        .runner()
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(next_question(&mut events).await, "Your name: ");
    let error = handler.await.unwrap_err();
    assert_eq!(began.elapsed(), Duration::from_secs(5));
    let WorkflowError::StepFailed { step, source, .. } = &error else {
        panic!("expected a step failure, got {error:?}");
    };
    assert_eq!(*step, "ask");
    assert_eq!(
        source.downcast_ref::<WaitTimedOut>(),
        Some(&WaitTimedOut {
            event: "HumanResponseEvent",
            after: Duration::from_secs(5),
        })
    );
    assert_eq!(source.to_string(), "no `HumanResponseEvent` came within 5s");
}

#[tokio::test]
async fn nothing_can_be_sent_once_the_run_has_ended() {
    let mut handler = Survey::new(None).runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    next_question(&mut events).await;
    handler.send_event(answer("Ada")).unwrap();
    next_question(&mut events).await;
    handler.send_event(answer("teal")).unwrap();
    while events.next().await.is_some() {}
    assert_eq!(
        handler.send_event(answer("late")),
        Err(SendError::RunEnded {
            event: "HumanResponseEvent"
        })
    );
}

// --- an answer that comes before the question -----------------------------------------

struct Early {
    go: Notify,
}

#[workflow_impl]
impl Early {
    #[step(waits_for(HumanResponseEvent))]
    async fn later(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        self.go.notified().await;
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(StopEvent::new(answer.response))
    }
}

#[tokio::test]
async fn an_answer_sent_before_the_step_waits_is_kept_for_it() {
    let runner = Early { go: Notify::new() }.runner();
    let handler = runner.run(StartEvent::new());
    handler.send_event(answer("ahead of time")).unwrap();
    runner.workflow().go.notify_one();
    assert_eq!(handler.await.unwrap(), "ahead of time");
}

// --- input events accepted by steps: entry points of the graph ------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(input)]
struct Approval {
    approved: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct ApprovalNeeded {
    what: String,
}

/// Asks for approval and ends its first step; the caller's answer starts
/// the second, which no step produces.
struct Approvals {
    seen: Mutex<Vec<bool>>,
}

#[workflow_impl]
impl Approvals {
    #[step]
    async fn request(&self, start: StartEvent) -> Result<ApprovalNeeded> {
        Ok(ApprovalNeeded {
            what: start.get("what")?,
        })
    }

    #[step]
    async fn decide(&self, approval: Approval) -> Option<StopEvent<bool>> {
        let mut seen = self.seen.lock().unwrap();
        seen.push(approval.approved);
        // Two answers are needed.
        (seen.len() == 2).then(|| StopEvent::new(seen.iter().all(|approved| *approved)))
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_run_whose_steps_accept_input_waits_for_its_caller_instead_of_stalling() {
    let runner = Approvals {
        seen: Mutex::default(),
    }
    .runner()
    .without_timeout();
    let mut handler = runner.run(StartEvent::new().with("what", "deploy"));
    let mut events = handler.stream_events().unwrap();
    let asked = events.next().await.unwrap();
    assert_eq!(
        asked.downcast_ref::<ApprovalNeeded>().unwrap().what,
        "deploy"
    );
    // The run has nothing to do now; an hour later it still waits.
    tokio::time::sleep(Duration::from_secs(3_600)).await;
    assert!(!handler.is_finished());
    handler.send_event(Approval { approved: true }).unwrap();
    handler.send_event(Approval { approved: false }).unwrap();
    assert!(!handler.await.unwrap());
    assert_eq!(*runner.workflow().seen.lock().unwrap(), [true, false]);
}

#[tokio::test(start_paused = true)]
async fn an_idle_run_waiting_for_input_still_times_out() {
    let error = Approvals {
        seen: Mutex::default(),
    }
    .runner()
    .timeout(Duration::from_secs(30))
    .run(StartEvent::new().with("what", "deploy"))
    .await
    .unwrap_err();
    assert!(matches!(error, WorkflowError::TimedOut { .. }), "{error:?}");
}

// --- the example ---------------------------------------------------------------------

#[tokio::test]
async fn the_interview_example_goes_on_with_each_answer() {
    use examples::human_in_the_loop::Interview;
    let mut handler = Interview.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(next_question(&mut events).await, "What is your name? ");
    handler.send_event(answer(" Ada ")).unwrap();
    assert_eq!(
        next_question(&mut events).await,
        "Hello, Ada! What is your favourite colour? "
    );
    handler.send_event(answer("Teal")).unwrap();
    assert_eq!(handler.await.unwrap(), "Ada likes teal.");
}
