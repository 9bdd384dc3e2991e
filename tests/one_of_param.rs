//! A step that accepts one of several event types, as LlamaIndex's
//! `ev: A | B`: its event parameter is a `#[derive(OneOf)]` enum, every
//! variant's type routes to it, and the graph, the errors and the observer
//! events see each.

use typed_workflows::graph::{EdgeKind, Graph};
use typed_workflows::observe::StepStarted;
use typed_workflows::prelude::*;
use typed_workflows::{SendError, WorkflowFailedEvent};

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Alpha {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Beta {
    number: u32,
}

/// What the first step returns: one of the two.
#[derive(OneOf)]
enum Fork {
    Alpha(Alpha),
    Beta(Beta),
}

/// What the second step takes: either.
#[derive(OneOf)]
enum Either {
    Alpha(Alpha),
    Beta(Beta),
}

struct Branches;

workflow! {
    impl Branches {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Fork> {
            Ok(match start.get::<u32>("number").ok() {
                Some(number) => Beta { number }.into(),
                None => Alpha { text: start.get("text")? }.into(),
            })
        }

        #[step]
        async fn either(&self, ev: Either) -> Result<StopEvent<String>> {
            match ev {
                Either::Alpha(alpha) => Ok(StopEvent::new(format!("alpha {}", alpha.text))),
                Either::Beta(beta) if beta.number == 13 => anyhow::bail!("unlucky"),
                Either::Beta(beta) => Ok(StopEvent::new(format!("beta {}", beta.number))),
            }
        }
    }
}

#[tokio::test]
async fn each_variants_type_routes_to_the_step() {
    let runner = Branches.runner();
    let alpha = runner.run(StartEvent::new().with("text", "hi")).await;
    assert_eq!(alpha.unwrap(), "alpha hi");
    let beta = runner.run(StartEvent::new().with("number", 7)).await;
    assert_eq!(beta.unwrap(), "beta 7");
}

#[tokio::test]
async fn errors_and_observer_events_name_the_event_the_step_had() {
    let mut handler = Branches
        .runner()
        .expose_internal(true)
        .run(StartEvent::new().with("number", 13));
    let mut events = handler.stream_events().unwrap();
    let mut started = Vec::new();
    let mut failed = None;
    while let Some(event) = events.next().await {
        if let Some(step) = event.downcast_ref::<StepStarted>() {
            started.push((step.step.clone(), step.event.clone()));
        }
        if let Some(end) = event.downcast_ref::<WorkflowFailedEvent>() {
            failed = Some(end.clone());
        }
    }
    let named = |step: &str, event: &str| (step.to_owned(), event.to_owned());
    assert_eq!(
        started,
        [named("begin", "StartEvent"), named("either", "Beta")]
    );
    assert_eq!(failed.unwrap().event.as_deref(), Some("Beta"));
    match handler.await {
        Err(WorkflowError::StepFailed { step, event, .. }) => {
            assert_eq!((step, event), ("either", "Beta"));
        }
        other => panic!("expected StepFailed, got {other:?}"),
    }
}

#[test]
fn the_graph_draws_an_edge_from_each_variant_to_the_step() {
    let graph = Graph::of::<Branches>();
    let either = graph
        .steps
        .iter()
        .position(|step| step.name == "either")
        .unwrap();
    let mut accepted: Vec<&str> = graph
        .edges
        .iter()
        .filter(|edge| edge.step == either && edge.kind == EdgeKind::Accepts)
        .map(|edge| graph.events[edge.event].name)
        .collect();
    accepted.sort_unstable();
    assert_eq!(accepted, ["Alpha", "Beta"]);
    let mermaid = graph.to_mermaid();
    let node = |name: &str| {
        let index = graph.events.iter().position(|event| event.name == name);
        format!("e{}", index.unwrap())
    };
    for event in ["Alpha", "Beta"] {
        let edge = format!("{} --> s{either}", node(event));
        assert!(mermaid.contains(&edge), "no `{edge}` in\n{mermaid}");
    }
}

// --- a start event among the variants, and broadcast ---------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Again {
    left: u32,
}

#[derive(OneOf)]
enum Begin {
    Start(StartEvent),
    Again(Again),
}

#[derive(OneOf)]
enum Counted {
    Again(Again),
    Done(StopEvent<u32>),
}

/// A loop whose one step takes the start event or its own output, beside
/// a step that takes the output alone.
struct Countdown {
    seen: std::sync::Mutex<Vec<u32>>,
}

workflow! {
    impl Countdown {
        #[step]
        async fn count(&self, ev: Begin) -> Result<Counted> {
            let left = match ev {
                Begin::Start(start) => start.get("from")?,
                Begin::Again(again) => again.left,
            };
            Ok(match left {
                0 => StopEvent::new(0).into(),
                left => Again { left: left - 1 }.into(),
            })
        }

        /// Every `Again` goes here too: an event goes to every step that
        /// accepts its type.
        #[step]
        async fn watch(&self, again: Again) -> Option<StopEvent<u32>> {
            self.seen.lock().unwrap().push(again.left);
            None
        }
    }
}

#[tokio::test]
async fn a_step_may_take_the_start_event_among_others_and_shares_the_rest() {
    let runner = Countdown {
        seen: Default::default(),
    }
    .runner();
    let counted = runner.run(StartEvent::new().with("from", 3)).await.unwrap();
    assert_eq!(counted, 0);
    // The last `Again` may reach `watch` after the stop event ended the run.
    let seen = runner.workflow().seen.lock().unwrap().clone();
    assert!(seen.starts_with(&[2, 1]), "{seen:?}");
}

// --- sending to the step by name -----------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Gamma;

struct Targets;

workflow! {
    impl Targets {
        #[step(sends(Gamma, Beta))]
        async fn begin(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<()> {
            let refused = ctx.send_event_to("either", Gamma).unwrap_err();
            assert_eq!(
                refused,
                SendError::NotAccepted {
                    step: "either",
                    event: "Gamma",
                    accepts: vec!["Alpha", "Beta"],
                }
            );
            assert_eq!(
                refused.to_string(),
                "step `either` accepts `Alpha` or `Beta`, not `Gamma`"
            );
            ctx.send_event_to("either", Beta { number: 2 })?;
            Ok(())
        }

        #[step]
        async fn either(&self, ev: Either) -> StopEvent<u32> {
            match ev {
                Either::Alpha(_) => StopEvent::new(0),
                Either::Beta(beta) => StopEvent::new(beta.number),
            }
        }

        #[step]
        async fn gamma(&self, _ev: Gamma) -> Alpha {
            Alpha { text: "never sent".into() }
        }
    }
}

#[tokio::test]
async fn sending_to_the_step_by_name_takes_any_variants_type() {
    assert_eq!(Targets.runner().run(StartEvent::new()).await.unwrap(), 2);
}
