//! What runs report about themselves (`Runner::report_to`, and tracing's
//! report): what a report hears and in which order, that steps are followed
//! only for reports that ask, that reports add up, and the tracing events
//! each happening becomes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Metadata, Subscriber};
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

// --- tracing ---------------------------------------------------------------------------

/// A subscriber that keeps the level and message of every event.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<(Level, String)>>>);

impl Captured {
    fn messages(&self, level: Level) -> Vec<String> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|(at, _)| *at == level)
            .map(|(_, message)| message.clone())
            .collect()
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Captured {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let level = *event.metadata().level();
        self.0.lock().unwrap().push((level, message.0));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// Runs `start` with `runner` on a runtime of this thread, where
/// `captured` is the subscriber.
fn traced(
    captured: &Captured,
    runner: &Runner<Desk>,
    start: StartEvent,
) -> Result<String, WorkflowError> {
    let _default = tracing::subscriber::set_default(captured.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async { runner.run(start).await })
}

#[test]
fn retries_and_recoveries_are_traced_at_their_levels() {
    let captured = Captured::default();
    assert_eq!(
        traced(&captured, &Desk.runner(), start(BROKEN)).unwrap(),
        "sorry: out of order"
    );
    assert_eq!(
        captured.messages(Level::INFO),
        ["step failed; trying again"]
    );
    assert_eq!(
        captured.messages(Level::WARN),
        ["step failed; its failure goes to the step that catches it"]
    );
    let trace = captured.messages(Level::TRACE);
    assert_eq!(
        trace,
        [
            "step started",
            "step failed",
            "step started",
            "step finished"
        ]
    );
}

#[test]
fn a_finished_run_is_traced_at_debug_and_a_failed_one_is_a_warning() {
    let finished = Captured::default();
    assert_eq!(
        traced(&finished, &Desk.runner(), start("plain")).unwrap(),
        "plain on attempt 1"
    );
    assert!(finished.messages(Level::WARN).is_empty());
    assert_eq!(finished.messages(Level::DEBUG), ["run finished"]);

    // Nobody answers: the run times out at its first wait.
    let failed = Captured::default();
    let runner = Desk.runner().timeout(Duration::ZERO);
    let error = traced(&failed, &runner, start(ASKS)).unwrap_err();
    assert!(matches!(error, WorkflowError::TimedOut { .. }), "{error:?}");
    assert_eq!(failed.messages(Level::WARN), ["run failed"]);
}

/// The spans a subscriber was asked to make, each `workflow`, or `step`
/// with its fields, and for each event, its message and the spans it came
/// inside, outermost first.
#[derive(Default)]
struct Spans {
    made: Vec<String>,
    entered: Vec<usize>,
    events: Vec<(String, Vec<String>)>,
}

/// A subscriber that keeps [`Spans`].
#[derive(Clone, Default)]
struct SpanCaptured(Arc<Mutex<Spans>>);

/// The `step` and `event` fields of a span, as ` step=name event=name`.
struct StepFields(String);

impl Visit for StepFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if ["step", "event"].contains(&field.name()) {
            self.0 += &format!(" {field}={value}");
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl SpanCaptured {
    /// The index in `made` of the span `id`.
    fn index(id: &Id) -> usize {
        usize::try_from(id.into_u64()).unwrap() - 1
    }
}

impl Subscriber for SpanCaptured {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = StepFields(span.metadata().name().to_owned());
        span.record(&mut fields);
        let mut spans = self.0.lock().unwrap();
        spans.made.push(fields.0);
        Id::from_u64(spans.made.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = StepFields(String::new());
        values.record(&mut fields);
        self.0.lock().unwrap().made[Self::index(span)] += &fields.0;
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let mut spans = self.0.lock().unwrap();
        let inside = spans
            .entered
            .iter()
            .map(|&span| spans.made[span].clone())
            .collect();
        spans.events.push((message.0, inside));
    }

    fn enter(&self, span: &Id) {
        self.0.lock().unwrap().entered.push(Self::index(span));
    }

    fn exit(&self, _span: &Id) {
        self.0.lock().unwrap().entered.pop();
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Tick {
    left: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Done;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Skipped;

#[derive(OneOf)]
enum Ticked {
    Tick(Tick),
    Done(Done),
    Skipped(Skipped),
}

#[derive(OneOf)]
enum Finish {
    Done(Done),
    Skipped(Skipped),
}

/// `tick` is invoked three times, and logs each time; `finish` accepts
/// two events.
struct Ticker;

#[workflow_impl]
impl Ticker {
    #[step]
    async fn begin(&self, _start: StartEvent) -> Tick {
        Tick { left: 2 }
    }

    #[step]
    async fn tick(&self, tick: Tick) -> Ticked {
        tracing::info!(tick.left, "tick");
        match tick.left {
            0 => Ticked::Done(Done),
            left => Ticked::Tick(Tick { left: left - 1 }),
        }
    }

    #[step]
    async fn finish(&self, finish: Finish) -> StopEvent<String> {
        let finished = match finish {
            Finish::Done(Done) => "done",
            Finish::Skipped(Skipped) => "skipped",
        };
        StopEvent::new(finished.to_owned())
    }
}

#[test]
fn a_step_has_one_span_in_its_run_and_its_logs_come_inside_it() {
    let captured = SpanCaptured::default();
    let _default = tracing::subscriber::set_default(captured.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let result = runtime.block_on(async { Ticker.runner().run(StartEvent::new()).await });
    assert_eq!(result.unwrap(), "done");
    let spans = captured.0.lock().unwrap();
    // The event only for the step that accepts more than one.
    assert_eq!(
        spans.made,
        [
            "workflow",
            "step step=begin",
            "step step=tick",
            "step step=finish event=Done"
        ]
    );
    let ticks: Vec<_> = spans
        .events
        .iter()
        .filter(|(message, _)| message == "tick")
        .collect();
    assert_eq!(ticks.len(), 3);
    for (_, inside) in ticks {
        assert_eq!(inside, &["workflow", "step step=tick"]);
    }
}
