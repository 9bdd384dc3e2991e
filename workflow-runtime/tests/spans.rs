//! The spans a run makes for its steps: one `step` span per step of a
//! run, made at its first invocation and entered by every later one, with
//! the event's name only for a step that accepts several; a step's own logs
//! come inside its run's span and its own.
//!
//! Here rather than in the facade's tests, because `tracing` is this crate's
//! dependency and not the facade's.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Metadata, Subscriber};
use typed_workflows::prelude::*;

/// An event's message.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
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
