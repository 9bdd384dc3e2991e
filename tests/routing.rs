//! Routing: how events travel from step to step. A chain, a broadcast to every
//! step accepting a type, a `#[derive(OneOf)]` loop and a `OneOf` inside a
//! `OneOf`, `Option` and `()`
//! returns, and `send_event_to` with its errors.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use typed_workflows::SendError;
use typed_workflows::prelude::*;

// --- a chain of steps -------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop1 {
    path: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop2 {
    path: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Hop3 {
    path: Vec<String>,
}

struct Chain;

workflow! {
    impl Chain {
        #[step]
        async fn first(&self, start: StartEvent) -> Result<Hop1> {
            let from: String = start.get("from")?;
            Ok(Hop1 { path: vec![from, "first".into()] })
        }

        #[step]
        async fn second(&self, ev: Hop1) -> Result<Hop2> {
            let mut path = ev.path;
            path.push("second".into());
            Ok(Hop2 { path })
        }

        #[step]
        async fn third(&self, ev: Hop2) -> Hop3 {
            let mut path = ev.path;
            path.push("third".into());
            Hop3 { path }
        }

        #[step]
        async fn last(&self, ev: Hop3) -> Result<StopEvent<Vec<String>>> {
            let mut path = ev.path;
            path.push("last".into());
            Ok(StopEvent::new(path))
        }
    }
}

#[tokio::test]
async fn a_chain_runs_each_step_once_in_order() {
    let path = Chain
        .runner()
        .run(StartEvent::new().with("from", "start"))
        .await
        .unwrap();
    assert_eq!(path, ["start", "first", "second", "third", "last"]);
}

// --- broadcast ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Shared {
    value: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Seen {
    by: String,
    value: u32,
}

/// Who saw the shared event, and the value each made of it.
type SeenBy = Vec<(String, u32)>;

struct Broadcast {
    left_runs: AtomicUsize,
    right_runs: AtomicUsize,
}

workflow! {
    impl Broadcast {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> Shared {
            Shared { value: 7 }
        }

        #[step]
        async fn left(&self, ev: Shared) -> Seen {
            self.left_runs.fetch_add(1, Ordering::SeqCst);
            Seen { by: "left".into(), value: ev.value }
        }

        #[step]
        async fn right(&self, ev: Shared) -> Seen {
            self.right_runs.fetch_add(1, Ordering::SeqCst);
            Seen { by: "right".into(), value: ev.value + 1 }
        }

        #[step]
        async fn join(&self, ctx: &Context<Self>, ev: Seen) -> Option<StopEvent<SeenBy>> {
            let seen = ctx.collect_events(ev, 2)?;
            let mut seen: Vec<_> = seen.into_iter().map(|s| (s.by, s.value)).collect();
            seen.sort();
            Some(StopEvent::new(seen))
        }
    }
}

#[tokio::test]
async fn an_event_goes_to_every_step_that_accepts_its_type() {
    let runner = Broadcast {
        left_runs: AtomicUsize::new(0),
        right_runs: AtomicUsize::new(0),
    }
    .runner();
    let seen = runner.run(StartEvent::new()).await.unwrap();
    assert_eq!(seen, [("left".to_owned(), 7), ("right".to_owned(), 8)]);
    assert_eq!(runner.workflow().left_runs.load(Ordering::SeqCst), 1);
    assert_eq!(runner.workflow().right_runs.load(Ordering::SeqCst), 1);
}

// --- a OneOf loop ---------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Iteration {
    n: u32,
    limit: u32,
}

#[derive(Debug, OneOf)]
enum Next {
    Again(Iteration),
    Done(StopEvent<u32>),
}

struct Loop {
    iterations: AtomicUsize,
}

workflow! {
    impl Loop {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Iteration> {
            Ok(Iteration { n: 0, limit: start.get("limit")? })
        }

        #[step]
        async fn iterate(&self, ev: Iteration) -> Result<Next> {
            self.iterations.fetch_add(1, Ordering::SeqCst);
            let n = ev.n + 1;
            if n < ev.limit {
                Ok(Next::Again(Iteration { n, limit: ev.limit }))
            } else {
                Ok(Next::Done(StopEvent::new(n)))
            }
        }
    }
}

#[tokio::test]
async fn a_one_of_step_loops_until_it_returns_the_stop_branch() {
    for limit in [1, 5, 1000] {
        let runner = Loop {
            iterations: AtomicUsize::new(0),
        }
        .runner();
        let n = runner
            .run(StartEvent::new().with("limit", limit))
            .await
            .unwrap();
        assert_eq!(n, limit);
        assert_eq!(
            runner.workflow().iterations.load(Ordering::SeqCst),
            limit as usize
        );
    }
}

// --- a OneOf inside a OneOf -----------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Left;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Right;

#[derive(Debug, OneOf)]
enum Side {
    Left(Left),
    Right(Right),
}

#[derive(Debug, OneOf)]
enum Turn {
    Finished(StopEvent<String>),
    Side(Side),
    Maybe(Option<Left>),
}

struct Nested;

workflow! {
    impl Nested {
        #[step]
        async fn choose(&self, start: StartEvent) -> Result<Turn> {
            let choice: String = start.get("choice")?;
            Ok(match choice.as_str() {
                "left" => Turn::Side(Side::Left(Left)),
                "right" => Turn::Side(Side::Right(Right)),
                "maybe" => Turn::Maybe(Some(Left)),
                _ => Turn::Finished(StopEvent::new("at once".into())),
            })
        }

        #[step]
        async fn left(&self, _ev: Left) -> StopEvent<String> {
            StopEvent::new("left".into())
        }

        #[step]
        async fn right(&self, _ev: Right) -> StopEvent<String> {
            StopEvent::new("right".into())
        }
    }
}

#[tokio::test]
async fn a_one_of_inside_a_one_of_routes_the_event_it_carries() {
    for (choice, ended) in [
        ("left", "left"),
        ("right", "right"),
        ("maybe", "left"),
        ("stop", "at once"),
    ] {
        let result = Nested
            .runner()
            .run(StartEvent::new().with("choice", choice))
            .await
            .unwrap();
        assert_eq!(result, ended, "choice {choice}");
    }
}

#[test]
fn a_one_of_inside_a_one_of_returns_every_event_it_may_carry() {
    let choose = &Nested::STEPS[0];
    let returned: Vec<&str> = choose.returns.iter().map(|event| event.name).collect();
    assert_eq!(returned, ["StopEvent", "Left", "Right", "Left"]);
}

// --- a step that takes a OneOf with a OneOf inside ------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Near;

#[derive(Debug, OneOf)]
enum Far {
    Left(Left),
    Right(Right),
}

#[derive(Debug, OneOf)]
enum Anywhere {
    Near(Near),
    Far(Far),
}

struct TakesNested;

workflow! {
    impl TakesNested {
        #[step]
        async fn go(&self, start: StartEvent) -> Result<Anywhere> {
            let to: String = start.get("to")?;
            Ok(match to.as_str() {
                "near" => Anywhere::Near(Near),
                "left" => Anywhere::Far(Far::Left(Left)),
                _ => Anywhere::Far(Far::Right(Right)),
            })
        }

        #[step]
        async fn arrive(&self, at: Anywhere) -> StopEvent<String> {
            StopEvent::new(match at {
                Anywhere::Near(Near) => "near".into(),
                Anywhere::Far(Far::Left(Left)) => "far left".into(),
                Anywhere::Far(Far::Right(Right)) => "far right".into(),
            })
        }
    }
}

#[tokio::test]
async fn a_step_that_takes_a_one_of_gets_the_variant_inside_its_nested_one_of() {
    for (to, arrived) in [
        ("near", "near"),
        ("left", "far left"),
        ("right", "far right"),
    ] {
        let result = TakesNested
            .runner()
            .run(StartEvent::new().with("to", to))
            .await
            .unwrap();
        assert_eq!(result, arrived);
    }
    let accepted: Vec<&str> = TakesNested::STEPS[1]
        .accepts
        .iter()
        .map(|event| event.name)
        .collect();
    assert_eq!(accepted, ["Near", "Left", "Right"]);
}

// --- Option: None on one branch, Some on another -------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Number {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Classified {
    n: u32,
    kind: String,
}

struct Parity;

workflow! {
    impl Parity {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Number> {
            Ok(Number { n: start.get("n")? })
        }

        #[step]
        async fn even(&self, ev: Number) -> Option<Classified> {
            ev.n.is_multiple_of(2).then(|| Classified { n: ev.n, kind: "even".into() })
        }

        #[step]
        async fn odd(&self, ev: Number) -> Result<Option<Classified>> {
            Ok((ev.n % 2 == 1).then(|| Classified { n: ev.n, kind: "odd".into() }))
        }

        #[step]
        async fn report(&self, ev: Classified) -> StopEvent<String> {
            StopEvent::new(format!("{} is {}", ev.n, ev.kind))
        }
    }
}

#[tokio::test]
async fn a_step_returning_none_lets_another_branch_carry_the_run() {
    let runner = Parity.runner();
    assert_eq!(
        runner.run(StartEvent::new().with("n", 3)).await.unwrap(),
        "3 is odd"
    );
    assert_eq!(
        runner.run(StartEvent::new().with("n", 10)).await.unwrap(),
        "10 is even"
    );
}

// --- a step returning () that sends through the context ------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Part {
    index: u32,
}

struct Sender;

workflow! {
    impl Sender {
        #[step(sends(Part))]
        async fn split(&self, ctx: &Context<Self>, _ev: StartEvent) {
            for index in 0..3 {
                ctx.send_event(Part { index });
            }
        }

        #[step]
        async fn gather(&self, ctx: &Context<Self>, ev: Part) -> Option<StopEvent<Vec<u32>>> {
            let parts = ctx.collect_events(ev, 3)?;
            Some(StopEvent::new(parts.into_iter().map(|p| p.index).collect()))
        }
    }
}

#[tokio::test]
async fn a_step_returning_unit_sends_its_events_through_the_context() {
    let indices = Sender.runner().run(StartEvent::new()).await.unwrap();
    assert_eq!(indices, [0, 1, 2]);
}

// --- send_event_to ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Other;

struct Targeted {
    errors: Mutex<Vec<SendError>>,
    left_runs: AtomicUsize,
}

workflow! {
    impl Targeted {
        #[step(sends(Ping, Other))]
        async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
            let unknown = ctx.send_event_to("nowhere", Ping { n: 0 }).unwrap_err();
            let wrong_type = ctx.send_event_to("other", Ping { n: 0 }).unwrap_err();
            self.errors.lock().unwrap().extend([unknown, wrong_type]);
            ctx.send_event_to("right", Ping { n: 1 })?;
            Ok(())
        }

        #[step]
        async fn left(&self, ev: Ping) -> StopEvent<String> {
            self.left_runs.fetch_add(1, Ordering::SeqCst);
            StopEvent::new(format!("left {}", ev.n))
        }

        #[step]
        async fn right(&self, ev: Ping) -> StopEvent<String> {
            StopEvent::new(format!("right {}", ev.n))
        }

        #[step]
        async fn other(&self, _ev: Other) -> StopEvent<String> {
            StopEvent::new("other".into())
        }
    }
}

fn targeted() -> Runner<Targeted> {
    Targeted {
        errors: Mutex::new(Vec::new()),
        left_runs: AtomicUsize::new(0),
    }
    .runner()
}

#[tokio::test]
async fn send_event_to_reaches_the_named_step_alone() {
    let runner = targeted();
    let result = runner.run(StartEvent::new()).await.unwrap();
    assert_eq!(result, "right 1");
    assert_eq!(runner.workflow().left_runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn send_event_to_an_unknown_step_lists_the_known_steps() {
    let runner = targeted();
    runner.run(StartEvent::new()).await.unwrap();
    let errors = runner.workflow().errors.lock().unwrap().clone();
    let unknown = &errors[0];
    assert_eq!(
        *unknown,
        SendError::UnknownStep {
            step: "nowhere".into(),
            event: "Ping",
            known: vec!["begin", "left", "right", "other"],
        }
    );
    assert_eq!(
        unknown.to_string(),
        "no step is named `nowhere` to send `Ping` to; the steps are: begin, left, right, other"
    );
}

#[tokio::test]
async fn send_event_to_a_step_accepting_another_type_is_refused() {
    let runner = targeted();
    runner.run(StartEvent::new()).await.unwrap();
    let errors = runner.workflow().errors.lock().unwrap().clone();
    let wrong_type = &errors[1];
    assert_eq!(
        *wrong_type,
        SendError::NotAccepted {
            step: "other",
            event: "Ping",
            accepts: vec!["Other"],
        }
    );
    assert_eq!(
        wrong_type.to_string(),
        "step `other` accepts `Other`, not `Ping`"
    );
}

// --- order of sent and returned events ----------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Numbered {
    n: u32,
}

struct SendThenReturn;

workflow! {
    impl SendThenReturn {
        #[step(sends(Numbered))]
        async fn emit(&self, ctx: &Context<Self>, _ev: StartEvent) -> Numbered {
            ctx.send_event(Numbered { n: 0 });
            ctx.send_event(Numbered { n: 1 });
            Numbered { n: 2 }
        }

        #[step]
        async fn gather(&self, ctx: &Context<Self>, ev: Numbered) -> Option<StopEvent<Vec<u32>>> {
            let numbers = ctx.collect_events(ev, 3)?;
            Some(StopEvent::new(numbers.into_iter().map(|number| number.n).collect()))
        }
    }
}

#[tokio::test]
async fn events_a_step_sends_are_routed_before_the_event_it_returns() {
    // As in LlamaIndex, `send_event` routes at once, and the returned event
    // follows when the step ends: the order is the order in which the step
    // produced them.
    let numbers = SendThenReturn
        .runner()
        .run(StartEvent::new())
        .await
        .unwrap();
    assert_eq!(numbers, [0, 1, 2]);
}

// --- an enum as an event --------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
enum Shape {
    Square(u32),
    Rectangle { width: u32, height: u32 },
}

struct Shapes;

workflow! {
    impl Shapes {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Shape> {
            let side: u32 = start.get("side")?;
            Ok(if side.is_multiple_of(2) {
                Shape::Square(side)
            } else {
                Shape::Rectangle { width: side, height: 2 }
            })
        }

        #[step]
        async fn area(&self, shape: Shape) -> StopEvent<u32> {
            StopEvent::new(match shape {
                Shape::Square(side) => side * side,
                Shape::Rectangle { width, height } => width * height,
            })
        }
    }
}

#[tokio::test]
async fn an_enum_can_be_an_event() {
    let runner = Shapes.runner();
    assert_eq!(
        runner.run(StartEvent::new().with("side", 4)).await.unwrap(),
        16
    );
    assert_eq!(
        runner.run(StartEvent::new().with("side", 3)).await.unwrap(),
        6
    );
}
