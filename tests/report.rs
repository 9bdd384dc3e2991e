//! What runs report about themselves (`Runner::report_to`): what a report
//! hears and in which order, that steps are followed only for reports that
//! ask, and that reports add up. Tracing's report is tested in the
//! runtime's `tests/logs.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use typed_workflows::observe::StepStarted;
use typed_workflows::prelude::*;
use typed_workflows::report::{Happening, Report, RunView};
use typed_workflows::{HumanResponseEvent, RetryPolicy, RunId, StepFailedEvent};

/// Writes down each happening it hears, in a few words, with the run's id.
#[derive(Default)]
struct Recorder {
    follows_steps: bool,
    heard: Mutex<Vec<(RunId, String)>>,
}

impl Recorder {
    fn following_steps() -> Arc<Self> {
        Arc::new(Self {
            follows_steps: true,
            ..Self::default()
        })
    }

    fn heard(&self) -> Vec<String> {
        let heard = self.heard.lock().unwrap();
        heard.iter().map(|(_, words)| words.clone()).collect()
    }

    fn runs(&self) -> Vec<RunId> {
        let heard = self.heard.lock().unwrap();
        heard.iter().map(|(run, _)| *run).collect()
    }
}

impl Report for Recorder {
    fn follows_steps(&self) -> bool {
        self.follows_steps
    }

    fn report(&self, run: &RunView<'_>, happening: &Happening<'_>) {
        assert_eq!(run.workflow(), "Desk");
        let words = match happening {
            Happening::StepStarted(started) => format!("started {}", started.step),
            Happening::StepFinished(finished) => {
                format!("finished {} with {:?}", finished.step, finished.produced)
            }
            Happening::StepFailed(failed) => format!("failed {}: {}", failed.step, failed.error),
            Happening::RunIdle(idle) => format!("idle at {:?}", idle.waiting),
            Happening::Retrying {
                step,
                attempt,
                delay,
                error,
            } => format!("retrying {step} after attempt {attempt} in {delay:?}: {error}"),
            Happening::Recovering {
                step,
                catcher,
                error,
            } => format!("{catcher} recovers {step}: {error}"),
            Happening::InputArrived { event } => format!("input {event}"),
            Happening::Ungathered { event } => format!("ungathered {event}"),
            Happening::RunEnded(Ok(())) => "ended".to_owned(),
            Happening::RunEnded(Err(error)) => format!("ended with {error}"),
            Happening::InputUnclaimed { events } => format!("{events} unclaimed"),
            other => panic!("a happening this test does not know: {other:?}"),
        };
        self.heard.lock().unwrap().push((run.run_id(), words));
    }
}

/// What `call` does, by the run's start value.
const FLAKY: &str = "flaky";
const BROKEN: &str = "broken";
const ASKS: &str = "asks";

/// `call` fails once and then succeeds, or always fails (and `desk`
/// recovers), or waits for an answer.
struct Desk;

#[workflow_impl]
impl Desk {
    #[step(retry = RetryPolicy::fixed(Duration::ZERO).max_attempts(2), waits_for(HumanResponseEvent))]
    async fn call(&self, ctx: &Context<Self>, ev: StartEvent) -> Result<StopEvent<String>> {
        let mode: String = ev.get("mode")?;
        match mode.as_str() {
            FLAKY if ctx.attempt() == 1 => anyhow::bail!("busy"),
            BROKEN => anyhow::bail!("out of order"),
            ASKS => {
                let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
                Ok(StopEvent::new(answer.response))
            }
            _ => Ok(StopEvent::new(format!(
                "{mode} on attempt {}",
                ctx.attempt()
            ))),
        }
    }

    #[step(catches(call))]
    async fn desk(&self, failed: StepFailedEvent) -> StopEvent<String> {
        StopEvent::new(format!("sorry: {}", failed.error))
    }
}

fn start(mode: &str) -> StartEvent {
    StartEvent::new().with("mode", mode)
}

#[tokio::test]
async fn a_report_that_does_not_follow_steps_hears_only_what_is_rare() {
    let recorder = Arc::new(Recorder::default());
    let runner = Desk.runner().report_to(recorder.clone());
    let result = runner.run(start(FLAKY)).await.unwrap();
    assert_eq!(result, "flaky on attempt 2");
    assert_eq!(
        recorder.heard(),
        ["retrying call after attempt 1 in 0ns: busy", "ended"]
    );
}

#[tokio::test]
async fn a_report_that_follows_steps_hears_each_step_in_order() {
    let recorder = Recorder::following_steps();
    let handler = Desk.runner().report_to(recorder.clone()).run(start(FLAKY));
    let run = handler.run_id();
    assert_eq!(handler.await.unwrap(), "flaky on attempt 2");
    assert_eq!(
        recorder.heard(),
        [
            "started call",
            "retrying call after attempt 1 in 0ns: busy",
            "finished call with [\"StopEvent\"]",
            "ended",
        ]
    );
    assert!(recorder.runs().iter().all(|heard| *heard == run));
}

#[tokio::test]
async fn a_failure_caught_by_another_step_is_heard_before_the_catcher_runs() {
    let recorder = Recorder::following_steps();
    let runner = Desk.runner().report_to(recorder.clone());
    let result = runner.run(start(BROKEN)).await.unwrap();
    assert_eq!(result, "sorry: out of order");
    assert_eq!(
        recorder.heard(),
        [
            "started call",
            "retrying call after attempt 1 in 0ns: out of order",
            "failed call: after 2 attempts: out of order",
            "desk recovers call: out of order",
            "started desk",
            "finished desk with [\"StopEvent\"]",
            "ended",
        ]
    );
}

#[tokio::test]
async fn input_is_heard_as_it_arrives_and_what_no_step_took_as_the_run_ends() {
    let recorder = Recorder::following_steps();
    let handler = Desk.runner().report_to(recorder.clone()).run(start(ASKS));
    let answer = |text: &str| HumanResponseEvent {
        response: text.into(),
    };
    handler.send_event(answer("yes")).unwrap();
    handler.send_event(answer("no")).unwrap();
    assert_eq!(handler.await.unwrap(), "yes");
    let heard = recorder.heard();
    assert!(heard.contains(&"started call".to_owned()));
    let arrived = heard
        .iter()
        .filter(|words| *words == "input HumanResponseEvent");
    assert_eq!(arrived.count(), 2);
    assert_eq!(
        heard[heard.len() - 3..],
        ["finished call with [\"StopEvent\"]", "ended", "1 unclaimed"]
    );
}

#[tokio::test]
async fn reports_add_up_and_each_hears_every_run_of_the_runner_and_its_clones() {
    let (first, second) = (Arc::new(Recorder::default()), Recorder::following_steps());
    let runner = Desk
        .runner()
        .report_to(first.clone())
        .report_to(second.clone());
    runner.run(start("plain")).await.unwrap();
    runner.clone().run(start("plain")).await.unwrap();
    assert_eq!(first.heard(), ["ended", "ended"]);
    assert_eq!(second.heard().len(), 6);
    let runs = first.runs();
    assert_ne!(runs[0], runs[1]);
}

#[tokio::test]
async fn observer_events_and_a_report_are_told_the_same_steps() {
    let recorder = Recorder::following_steps();
    let runner = Desk
        .runner()
        .verbose(true)
        .expose_internal(true)
        .report_to(recorder.clone());
    let mut handler = runner.run(start("plain"));
    let mut events = handler.stream_events().unwrap();
    let first = events.next().await.unwrap();
    assert_eq!(first.downcast_ref::<StepStarted>().unwrap().step, "call");
    handler.await.unwrap();
    assert_eq!(recorder.heard()[0], "started call");
}

#[tokio::test]
async fn turning_printing_and_observer_events_off_again_leaves_a_runner_as_it_was() {
    let runner = Desk
        .runner()
        .verbose(true)
        .expose_internal(true)
        .verbose(false)
        .expose_internal(false);
    let mut handler = runner.run(start("plain"));
    let mut events = handler.stream_events().unwrap();
    assert!(events.next().await.unwrap().is::<StopEvent<String>>());
    assert_eq!(handler.await.unwrap(), "plain on attempt 1");
}

/// Panics when it hears the happening `at` names.
struct Panicking {
    at: &'static str,
}

impl Report for Panicking {
    fn report(&self, _run: &RunView<'_>, happening: &Happening<'_>) {
        let heard = match happening {
            Happening::Retrying { .. } => "retrying",
            Happening::RunEnded(_) => "ended",
            _ => return,
        };
        assert_ne!(heard, self.at, "the report broke");
    }
}

#[tokio::test]
async fn a_report_that_panics_fails_the_step_or_the_run_it_was_told_in() {
    // `desk` catches the panic of `call`, as it would the step's own.
    let runner = Desk.runner().report_to(Panicking { at: "retrying" });
    let caught = runner.run(start(FLAKY)).await.unwrap();
    assert!(caught.starts_with("sorry: assertion"), "{caught}");
    assert!(caught.contains("the report broke"), "{caught}");
    let runner = Desk.runner().report_to(Panicking { at: "ended" });
    let error = runner.run(start("plain")).await.unwrap_err();
    assert!(
        matches!(&error, WorkflowError::RunPanicked { .. }),
        "{error:?}"
    );
}
