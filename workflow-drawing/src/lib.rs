//! The shape of a workflow, read from its compile-time step table: which
//! step accepts which event and which events it returns or sends. Known
//! without running anything, and exported as Mermaid or Graphviz DOT, or
//! drawn as SVG on an HTML page ([`draw_all_possible_flows`]).
//!
//! A [`RunTrace`], recorded from a run's observer events, draws over the
//! graph the path that one run took and where it ended
//! ([`draw_most_recent_execution`]).

mod details;
mod dot;
mod html;
mod mermaid;
mod overlay;
mod style;
mod svg;
mod trace;

pub use html::{draw_all_possible_flows, draw_most_recent_execution};
pub use trace::{RunEnd, RunTrace, StepTrace};

use std::time::Duration;

use workflow_model::__private::{EventInfo, EventKind, catcher_of};
use workflow_model::{Blueprint, Event, StepFailedEvent};

/// Every step and event type of a workflow, and how they connect.
///
/// Steps come in the order the workflow declares them, events in the order
/// they first appear (each step's accepted event, then what it returns, what
/// it sends, what it writes to the stream and what it waits for), so the output is the same from build to build.
///
/// ```
/// use typed_workflows::graph::{Edge, EdgeKind, Graph};
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Greeting { text: String }
///
/// struct Hello;
///
/// #[workflow_impl]
/// impl Hello {
///     #[step]
///     async fn greet(&self, _start: StartEvent) -> Greeting {
///         Greeting { text: "hello".into() }
///     }
///
///     #[step(num_workers = 2)]
///     async fn finish(&self, greeting: Greeting) -> StopEvent<String> {
///         StopEvent::new(greeting.text)
///     }
/// }
///
/// let graph = Graph::of::<Hello>();
/// assert_eq!(graph.steps[1].name, "finish");
/// assert_eq!(graph.steps[1].num_workers, 2);
/// let names: Vec<_> = graph.events.iter().map(|event| event.name).collect();
/// assert_eq!(names, ["StartEvent", "Greeting", "StopEvent"]);
/// assert!(graph.edges.contains(&Edge { step: 0, event: 1, kind: EdgeKind::Returns }));
/// println!("{}", graph.to_mermaid());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// The workflow's type name.
    pub workflow: &'static str,
    /// The steps, in declaration order.
    pub steps: Vec<StepNode>,
    /// The event types, in order of first appearance.
    pub events: Vec<EventNode>,
    /// Every connection, in the same order: for each step, its accepted
    /// events, what it returns, what it sends, what it writes, what it waits
    /// for; then the failures that other steps catch.
    pub edges: Vec<Edge>,
}

/// A step of the graph, with the options its `#[step(...)]` gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNode {
    /// The step's method name.
    pub name: &'static str,
    /// How many invocations of it may run at once.
    pub num_workers: usize,
    /// Whether each invocation runs as a task of its own (`spawn`).
    pub spawn: bool,
    /// How it is tried again after an error (`retry = ...`), said for a
    /// person as [`RetryPolicy`](workflow_model::RetryPolicy)'s `Display` does.
    pub retry: Option<String>,
    /// How long one attempt may take (`timeout = ...`).
    pub timeout: Option<Duration>,
    /// The index in [`Graph::steps`] of the step that catches its
    /// failures (`catches(...)`), if one does.
    pub caught_by: Option<usize>,
    /// For a step that catches failures, how many it may recover from in
    /// one run (`max_recoveries`); `None` for the others.
    pub max_recoveries: Option<u32>,
}

/// An event type of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventNode {
    /// The type's name, without its module path.
    pub name: &'static str,
    /// What the event does in this workflow.
    pub role: EventRole,
    /// Its fields as `(name, type)`, as its definition writes them: a
    /// tuple struct's are `0`, `1`, ...; an enum's are its variants, their
    /// type `variant` and what they hold.
    pub fields: &'static [(&'static str, &'static str)],
}

/// What an event type does in a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRole {
    /// Begins a run.
    Start,
    /// Goes from a step to the steps that accept it.
    Routed,
    /// Ends a run.
    Stop,
    /// Comes in from the run's caller (`#[event(input)]`).
    Input,
    /// Goes out to the caller's event stream; no step accepts it. Events
    /// that steps only write to the stream (`#[step(writes(...))]`) have
    /// this role, as do routed events that no step accepts.
    Stream,
}

/// A connection between a step and an event type. Every edge has one of
/// each, as steps only ever meet events; [`kind`](Self::kind) gives the
/// direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// An index into [`Graph::steps`].
    pub step: usize,
    /// An index into [`Graph::events`].
    pub event: usize,
    /// How they connect.
    pub kind: EdgeKind,
}

impl Edge {
    /// The edge's ends as identifiers for Mermaid and DOT (`e3`, `s0`), in
    /// the direction of the flow.
    fn ends(self) -> (String, String) {
        let (step, event) = (format!("s{}", self.step), format!("e{}", self.event));
        match self.kind {
            EdgeKind::Accepts | EdgeKind::Gathers | EdgeKind::Waits => (event, step),
            EdgeKind::Returns
            | EdgeKind::FansOut
            | EdgeKind::Sends
            | EdgeKind::Writes
            | EdgeKind::Fails => (step, event),
        }
    }
}

/// How an edge connects its step and its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// An event goes to a step that accepts it.
    Accepts,
    /// Events of this type, gathered from every branch of a fan-out, go
    /// at once to a step that takes a `Vec` of them.
    Gathers,
    /// A step returns an event.
    Returns,
    /// A step returns a `Vec` of events, each the start of a branch of a
    /// fan-out.
    FansOut,
    /// A step sends an event through its context (`#[step(sends(...))]`).
    Sends,
    /// A step writes an event to the caller's event stream
    /// (`#[step(writes(...))]`); no step receives it.
    Writes,
    /// A step waits for an input event from the run's caller
    /// (`#[step(waits_for(...))]`).
    Waits,
    /// A step's failure goes, as a `StepFailedEvent`, to the step that
    /// catches it (`#[step(catches(...))]`).
    Fails,
}

impl Graph {
    /// The graph of `W`, from the table `workflow!` generated.
    pub fn of<W: Blueprint>() -> Self {
        let mut graph = Self {
            workflow: W::NAME,
            steps: Vec::with_capacity(W::STEPS.len()),
            events: Vec::new(),
            edges: Vec::new(),
        };
        let mut keys = Vec::new();
        for (index, step) in W::STEPS.iter().enumerate() {
            graph.steps.push(StepNode {
                name: step.name,
                num_workers: step.num_workers,
                spawn: step.spawn,
                retry: step.retry.map(|retry| retry.to_string()),
                timeout: step.timeout,
                caught_by: catcher_of(W::STEPS, index),
                max_recoveries: step.catches_failures().then_some(step.max_recoveries),
            });
            let accepts = match step.gathers {
                true => EdgeKind::Gathers,
                false => EdgeKind::Accepts,
            };
            let returns = match step.fans_out {
                true => EdgeKind::FansOut,
                false => EdgeKind::Returns,
            };
            let produced = step
                .accepts
                .iter()
                .map(|event| (event, accepts))
                .chain(step.returns.iter().map(|event| (event, returns)))
                .chain(step.sends.iter().map(|event| (event, EdgeKind::Sends)))
                .chain(step.writes.iter().map(|event| (event, EdgeKind::Writes)))
                .chain(step.waits_for.iter().map(|event| (event, EdgeKind::Waits)));
            for (event, kind) in produced {
                let event = graph.event(&mut keys, event);
                graph.edges.push(Edge {
                    step: index,
                    event,
                    kind,
                });
            }
        }
        graph.add_failure_edges::<W>(&keys);
        graph.mark_stream_events();
        graph
    }

    /// A fails edge from each step whose failures another step catches to
    /// the event those failures come as, which that step accepts; `keys`
    /// are the events' keys, as [`event`](Self::event) keeps them.
    fn add_failure_edges<W: Blueprint>(&mut self, keys: &[&'static str]) {
        let failure = <StepFailedEvent as Event>::KEY;
        // The checks make every catching step accept `StepFailedEvent`.
        let Some(event) = keys.iter().position(|key| *key == failure) else {
            return;
        };
        for step in 0..W::STEPS.len() {
            if catcher_of(W::STEPS, step).is_none() {
                continue;
            }
            let edge = Edge {
                step,
                event,
                kind: EdgeKind::Fails,
            };
            if !self.edges.contains(&edge) {
                self.edges.push(edge);
            }
        }
    }

    /// The index of `info`'s node, added if new; `keys` runs beside
    /// [`Graph::events`] with each event's unique key.
    fn event(&mut self, keys: &mut Vec<&'static str>, info: &EventInfo) -> usize {
        if let Some(index) = keys.iter().position(|key| *key == info.key) {
            return index;
        }
        keys.push(info.key);
        self.events.push(EventNode {
            name: info.name,
            fields: info.fields,
            role: match info.kind {
                EventKind::Start => EventRole::Start,
                EventKind::Stop => EventRole::Stop,
                EventKind::Regular | EventKind::Outbound => EventRole::Routed,
                EventKind::Input => EventRole::Input,
            },
        });
        self.events.len() - 1
    }

    /// Routed events that no step accepts go to the caller's stream.
    fn mark_stream_events(&mut self) {
        for (index, event) in self.events.iter_mut().enumerate() {
            let accepted = self.edges.iter().any(|edge| {
                matches!(edge.kind, EdgeKind::Accepts | EdgeKind::Gathers) && edge.event == index
            });
            if event.role == EventRole::Routed && !accepted {
                event.role = EventRole::Stream;
            }
        }
    }

    /// A label for a step: its name and how many workers it has.
    fn step_label(step: &StepNode) -> String {
        match step.num_workers {
            1 => format!("{} (1 worker)", step.name),
            workers => format!("{} ({workers} workers)", step.name),
        }
    }
}
