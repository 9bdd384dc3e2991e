//! [`Blueprint`]: what a workflow is, apart from how it runs.

use crate::start::StartEventType;
use crate::state::WorkflowState;
use crate::step::StepInfo;
use crate::stop::StopEventType;

/// What a workflow is, apart from how it runs: its name, its table of
/// steps, and the types of its state and of the events that start and stop
/// it. `#[workflow_impl]` (or `workflow!`) implements it, beside the
/// runtime's [`Workflow`](https://docs.rs/typed-workflows/latest/typed_workflows/trait.Workflow.html),
/// a subtrait of it that adds how the steps are invoked; never implemented
/// by hand.
///
/// Code that only needs to know what a workflow is (the drawings, a store
/// of runs, a server that lists workflows) is generic over a `Blueprint`,
/// and so needs no async runtime.
///
/// ```
/// use typed_workflows::Blueprint;
/// use typed_workflows::prelude::*;
///
/// struct Echo;
///
/// #[workflow_impl]
/// impl Echo {
///     #[step]
///     async fn echo(&self, start: StartEvent) -> Result<StopEvent<String>> {
///         Ok(StopEvent::new(start.get("text")?))
///     }
/// }
///
/// fn step_names<W: Blueprint>() -> Vec<&'static str> {
///     W::STEPS.iter().map(|step| step.name).collect()
/// }
///
/// assert_eq!(<Echo as Blueprint>::NAME, "Echo");
/// assert_eq!(step_names::<Echo>(), ["echo"]);
/// ```
pub trait Blueprint: Sized + Send + Sync + 'static {
    /// The workflow's name: its type's name.
    const NAME: &'static str;

    /// Its steps, in the order they are written.
    const STEPS: &'static [StepInfo];

    /// The state each run carries (see [`WorkflowState`]): `()` unless the
    /// workflow declares one with `#[workflow_impl(state = S)]`.
    type State: WorkflowState;

    /// The event that begins a run.
    type Start: StartEventType;

    /// The event that ends a run; its output is what the run yields.
    type Stop: StopEventType;
}
