//! What the server says of a workflow without running it: the JSON
//! Schemas of its events, its graph as the protocol's representation and
//! as the drawing crate's SVG, and the qualified names of its events. Made
//! once, when the workflow is registered.

use std::collections::HashMap;

use serde_json::{Value, json};
use workflow_drawing::{EdgeKind, Graph};
use workflow_model::__private::{EventInfo, EventKind};
use workflow_model::observe::{RunIdle, StepFailed, StepFinished, StepStarted};
use workflow_model::snapshot::{LIBRARY_EVENTS, fingerprint};
use workflow_model::{Blueprint, Event};

use crate::schema::event_schema;

/// A workflow, described once for every request that asks.
pub(crate) struct Description {
    /// `GET /workflows/{name}/schema`: the start and stop events' schemas.
    pub(crate) schema: Value,
    /// `GET /workflows/{name}/events`: every event's schema.
    pub(crate) events: Value,
    /// `GET /workflows/{name}/representation`: the graph.
    pub(crate) representation: Value,
    /// `GET /workflows/{name}/graph`: the drawing, and the ids its nodes
    /// have in it.
    pub(crate) drawing: Value,
    /// `GET /workflows/{name}`: what the protocol does not say of it: its
    /// type, fingerprint, steps and input events.
    pub(crate) about: Value,
    /// Each event's qualified name (its Rust path), by its name.
    qualified: HashMap<&'static str, &'static str>,
}

/// The run's own events, which a stream carries as internal events.
pub(crate) const OBSERVER_EVENTS: [&str; 4] = [
    <StepStarted as Event>::NAME,
    <StepFinished as Event>::NAME,
    <StepFailed as Event>::NAME,
    <RunIdle as Event>::NAME,
];

impl Description {
    /// The description of `W`.
    pub(crate) fn of<W: Blueprint>() -> Self {
        let events = events_of::<W>();
        let schema_of = |kind: EventKind| {
            events
                .iter()
                .find(|info| info.kind == kind)
                .map_or(Value::Null, |info| event_schema(info))
        };
        let qualified = events
            .iter()
            .copied()
            .chain(LIBRARY_EVENTS.iter())
            .map(|info| (info.name, qualified_name(info)))
            .collect();
        Self {
            schema: json!({ "start": schema_of(EventKind::Start), "stop": schema_of(EventKind::Stop) }),
            events: json!({ "events": events.iter().map(|info| event_schema(info)).collect::<Vec<_>>() }),
            representation: representation::<W>(&events),
            drawing: drawing::<W>(),
            about: about::<W>(&events),
            qualified,
        }
    }

    /// The qualified name of the event named `name`.
    pub(crate) fn qualified_name(&self, name: &str) -> Option<&'static str> {
        self.qualified.get(name).copied()
    }
}

/// The events of this crate that LlamaIndex has too, under the names its
/// client imports them by (`workflows.events.StopEvent`): a client that
/// decodes a result with no registry of its own finds them.
const LLAMA_INDEX_NAMES: [(&str, &str); 4] = [
    ("StartEvent", "workflows.events.StartEvent"),
    ("StopEvent", "workflows.events.StopEvent"),
    ("InputRequiredEvent", "workflows.events.InputRequiredEvent"),
    ("HumanResponseEvent", "workflows.events.HumanResponseEvent"),
];

/// The qualified name of the event `info` describes: LlamaIndex's for
/// the events both have, its Rust path otherwise (its key, without what
/// the key adds to tell apart types of one path).
fn qualified_name(info: &EventInfo) -> &'static str {
    let built_in = info.key.strip_prefix("typed_workflows::") == Some(info.name);
    let path = info.key.split_once('@').map_or(info.key, |(path, _)| path);
    LLAMA_INDEX_NAMES
        .iter()
        .find(|(name, _)| built_in && *name == info.name)
        .map_or(path, |(_, python)| python)
}

/// Every event type `W`'s steps name, each once, in the order they name
/// them.
fn events_of<W: Blueprint>() -> Vec<&'static EventInfo> {
    let mut events: Vec<&'static EventInfo> = Vec::new();
    let named = W::STEPS
        .iter()
        .flat_map(|step| {
            [
                step.accepts,
                step.returns,
                step.sends,
                step.writes,
                step.waits_for,
            ]
        })
        .flatten();
    for info in named {
        if !events.iter().any(|known| known.key == info.key) {
            events.push(info);
        }
    }
    events
}

/// The protocol's representation of `W`: its steps and events as nodes,
/// and an edge for each way an event goes to or comes from a step.
fn representation<W: Blueprint>(events: &[&'static EventInfo]) -> Value {
    let graph = Graph::of::<W>();
    let mut nodes: Vec<Value> = graph
        .steps
        .iter()
        .map(|step| {
            json!({ "id": step.name, "label": step.name, "node_type": "step", "description": null })
        })
        .collect();
    for (index, event) in graph.events.iter().enumerate() {
        let produced_by: Vec<&str> = graph
            .edges
            .iter()
            .filter(|edge| edge.event == index && comes_from_step(edge.kind))
            .map(|edge| graph.steps[edge.step].name)
            .collect();
        let schema = events
            .iter()
            .find(|info| info.name == event.name)
            .map_or(Value::Null, |info| event_schema(info));
        nodes.push(json!({
            "id": event.name,
            "label": event.name,
            "node_type": "event",
            "event_type": event.name,
            "event_types": [event.name],
            "event_schema": schema,
            "produced_by": produced_by,
        }));
    }
    let edges: Vec<Value> = graph
        .edges
        .iter()
        .map(|edge| {
            let (step, event) = (graph.steps[edge.step].name, graph.events[edge.event].name);
            let (source, target) = match comes_from_step(edge.kind) {
                true => (step, event),
                false => (event, step),
            };
            json!({ "source": source, "target": target, "label": edge_label(edge.kind) })
        })
        .collect();
    json!({ "graph": { "name": W::NAME, "nodes": nodes, "edges": edges, "description": null } })
}

/// Whether an edge of this kind goes from its step to its event.
fn comes_from_step(kind: EdgeKind) -> bool {
    !matches!(
        kind,
        EdgeKind::Accepts | EdgeKind::Gathers | EdgeKind::Waits
    )
}

/// The label of an edge of this kind, as the drawings write it.
fn edge_label(kind: EdgeKind) -> Option<&'static str> {
    match kind {
        EdgeKind::Accepts | EdgeKind::Returns => None,
        EdgeKind::Gathers => Some("all"),
        EdgeKind::FansOut => Some("fans out"),
        EdgeKind::Sends => Some("sends"),
        EdgeKind::Writes => Some("writes"),
        EdgeKind::Waits => Some("waits"),
        EdgeKind::Fails => Some("fails"),
    }
}

/// What a workflow is beyond the protocol: its type's name, the
/// fingerprint its snapshots carry, its steps, and the input events it
/// takes from its caller.
fn about<W: Blueprint>(events: &[&'static EventInfo]) -> Value {
    let steps: Vec<Value> = W::STEPS
        .iter()
        .map(|step| {
            json!({
                "name": step.name,
                "accepts": step.accepts.iter().map(|event| event.name).collect::<Vec<_>>(),
                "waits_for": step.waits_for.iter().map(|event| event.name).collect::<Vec<_>>(),
                "num_workers": step.num_workers,
            })
        })
        .collect();
    let inputs: Vec<&str> = events
        .iter()
        .filter(|info| info.kind == EventKind::Input)
        .map(|info| info.name)
        .collect();
    json!({
        "workflow": W::NAME,
        "fingerprint": fingerprint::<W>(),
        "steps": steps,
        "input_events": inputs,
    })
}

/// The drawing of `W` as SVG, with the id each step and event has in it
/// (`data-node="s0"`), by name, for a page that lights up what a run does.
fn drawing<W: Blueprint>() -> Value {
    let graph = Graph::of::<W>();
    let steps: serde_json::Map<String, Value> = graph
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| (step.name.to_owned(), Value::from(format!("s{index}"))))
        .collect();
    let events: serde_json::Map<String, Value> = graph
        .events
        .iter()
        .enumerate()
        .map(|(index, event)| (event.name.to_owned(), Value::from(format!("e{index}"))))
        .collect();
    json!({ "svg": graph.to_svg(), "steps": steps, "events": events })
}
