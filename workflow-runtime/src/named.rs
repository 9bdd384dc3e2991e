//! Input events known only by their name and JSON, as a server receives
//! them: decoded as the workflow's input event of that name, and checked
//! as the compiler checks a typed one.

use serde_json::Value;
use workflow_model::__private::{EventInfo, EventKind};
use workflow_model::snapshot::event_named;
use workflow_model::{AnyEvent, SendError};

use crate::context::step_index;
use crate::handler::{check_takes, takes_or_waits_for};
use crate::workflow::Workflow;

/// An input event decoded from its name and JSON, with the step it goes to
/// alone, if it was sent to one.
pub(crate) struct NamedInput {
    pub(crate) event: AnyEvent,
    pub(crate) to: Option<usize>,
    pub(crate) name: &'static str,
}

/// Decodes `value` as `W`'s input event named `name`, for the step named
/// `step` alone if one is given: the checks a typed send passes at
/// compile time, made at run time.
pub(crate) fn decode_input<W: Workflow>(
    name: &str,
    value: Value,
    step: Option<&str>,
) -> Result<NamedInput, SendError> {
    let info = input_named::<W>(name).ok_or_else(|| SendError::NotAnInput {
        event: name.to_owned(),
        inputs: input_names::<W>(),
    })?;
    let to = match step {
        Some(step) => {
            let index = step_index::<W>(step, info.name)?;
            check_takes::<W>(index, info)?;
            Some(index)
        }
        None => None,
    };
    let event = (info.decode)(value).map_err(|error| SendError::Malformed {
        event: info.name,
        reason: error.to_string(),
    })?;
    Ok(NamedInput {
        event,
        to,
        name: info.name,
    })
}

/// `W`'s input event named `name`, if some step takes or waits for it.
fn input_named<W: Workflow>(name: &str) -> Option<&'static EventInfo> {
    event_named::<W>(name).filter(|info| is_taken_input::<W>(info))
}

fn is_taken_input<W: Workflow>(info: &EventInfo) -> bool {
    info.kind == EventKind::Input && W::STEPS.iter().any(|step| takes_or_waits_for(step, info))
}

/// The names of `W`'s input events, each once, in the order its steps
/// name them.
pub(crate) fn input_names<W: Workflow>() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    let declared = W::STEPS
        .iter()
        .flat_map(|step| [step.accepts, step.waits_for])
        .flatten();
    for info in declared {
        if is_taken_input::<W>(info) && !names.contains(&info.name) {
            names.push(info.name);
        }
    }
    names
}
