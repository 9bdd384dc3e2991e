//! [`WorkflowState`]: what the state type of a workflow must be.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What the state type of a workflow must be: a fresh run starts from its
/// `Default`, and it is serde data, so that a run's state can be stored and
/// read back. Implemented for every such type.
///
/// ```
/// use typed_workflows::WorkflowState;
/// use typed_workflows::prelude::*;
///
/// #[data]
/// #[derive(Default)]
/// struct Inventory {
///     harpoons: u32,
///     barrels: Vec<String>,
/// }
///
/// fn is_state<S: WorkflowState>() {}
/// is_state::<Inventory>();
/// is_state::<()>(); // the state of a workflow that declares none
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the state of a workflow",
    label = "a workflow's state must be `Default + Serialize + DeserializeOwned + Send + 'static`",
    note = "derive them: `#[data] #[derive(Default)] struct {Self} {{ ... }}`"
)]
pub trait WorkflowState: Default + Serialize + DeserializeOwned + Send + 'static {}

impl<S: Default + Serialize + DeserializeOwned + Send + 'static> WorkflowState for S {}
