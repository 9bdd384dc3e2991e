//! The typed state of a run: [`State`], a state the caller shares with
//! runs, and the run's own [`RunState`]. What a state type must be,
//! [`WorkflowState`](crate::WorkflowState), is part of the model.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A run's state as its caller holds it. A workflow declares the type of
/// its state with `#[workflow_impl(state = S)]`, and its steps read and edit
/// it with [`Context::read_state`](crate::Context::read_state) and
/// [`Context::edit_state`](crate::Context::edit_state).
///
/// Each run started with [`Runner::run`](crate::Runner::run) has a state of
/// its own, from `S::default()`. A caller who wants to seed the state, or
/// read it during or after the run, makes a `State` and starts the run with
/// [`Runner::run_with_state`](crate::Runner::run_with_state); a clone is
/// another handle on the same state, so runs given clones of one state
/// share it.
///
/// Each edit holds the state alone, so edits from steps that run at once
/// never interleave; the closures cannot `.await`, so no one holds the
/// state while waiting.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::State;
///
/// #[data]
/// #[derive(Debug, Default)]
/// struct Tally { seen: u32 }
///
/// #[event]
/// struct Tick;
///
/// struct Counter;
///
/// #[workflow_impl(state = Tally)]
/// impl Counter {
///     #[step(sends(Tick))]
///     async fn start(&self, ctx: &Context<Self>, _ev: StartEvent) {
///         for _ in 0..3 {
///             ctx.send_event(Tick);
///         }
///     }
///
///     #[step]
///     async fn count(&self, ctx: &Context<Self>, _ev: Tick) -> Option<StopEvent<u32>> {
///         let seen = ctx.edit_state(|tally| {
///             tally.seen += 1;
///             tally.seen
///         });
///         (seen == 13).then(|| StopEvent::new(seen))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let tally = State::new(Tally { seen: 10 });
/// let result = Counter.runner().run_with_state(StartEvent::new(), tally.clone()).await?;
/// assert_eq!(result, 13);
/// assert_eq!(tally.read(|tally| tally.seen), 13);
/// assert_eq!(tally.to_json()?, serde_json::json!({ "seen": 13 }));
/// # Ok(())
/// # }
/// ```
pub struct State<S> {
    shared: Arc<Mutex<S>>,
}

impl<S> State<S> {
    /// A state holding `value`.
    pub fn new(value: S) -> Self {
        Self {
            shared: Arc::new(Mutex::new(value)),
        }
    }

    /// Calls `read` with the state, and returns what it returns.
    pub fn read<R>(&self, read: impl FnOnce(&S) -> R) -> R {
        read(&self.lock())
    }

    /// Calls `edit` with the state, which no one else sees or changes until
    /// `edit` returns, and returns what it returns. If `edit` panics, what
    /// it changed so far stays changed.
    pub fn edit<R>(&self, edit: impl FnOnce(&mut S) -> R) -> R {
        edit(&mut self.lock())
    }

    /// A copy of the state.
    pub fn get(&self) -> S
    where
        S: Clone,
    {
        self.lock().clone()
    }

    /// Replaces the state with `value`, and returns what it was.
    pub fn replace(&self, value: S) -> S {
        std::mem::replace(&mut self.lock(), value)
    }

    /// The state as JSON.
    ///
    /// # Errors
    ///
    /// If `S`'s `Serialize` impl fails.
    pub fn to_json(&self) -> serde_json::Result<serde_json::Value>
    where
        S: Serialize,
    {
        serde_json::to_value(&*self.lock())
    }

    /// A state read from JSON, as [`to_json`](Self::to_json) writes it.
    ///
    /// # Errors
    ///
    /// If `json` is not an `S`.
    pub fn from_json(json: serde_json::Value) -> serde_json::Result<Self>
    where
        S: DeserializeOwned,
    {
        serde_json::from_value(json).map(Self::new)
    }

    fn lock(&self) -> MutexGuard<'_, S> {
        lock(&self.shared)
    }
}

/// The state as a run holds it: its own, unless the caller shares one.
/// A run's own state is held in the run, so a run whose caller shares no
/// state allocates nothing for it.
pub(crate) enum RunState<S> {
    Own(Mutex<S>),
    Shared(State<S>),
}

impl<S: Default> Default for RunState<S> {
    fn default() -> Self {
        Self::Own(Mutex::default())
    }
}

impl<S> RunState<S> {
    pub(crate) fn lock(&self) -> MutexGuard<'_, S> {
        match self {
            Self::Own(state) => lock(state),
            Self::Shared(state) => state.lock(),
        }
    }
}

fn lock<S>(state: &Mutex<S>) -> MutexGuard<'_, S> {
    // A poisoned lock means an edit panicked; its changes stay, as `edit`
    // says.
    state.lock().unwrap_or_else(|poison| poison.into_inner())
}

impl<S> Clone for State<S> {
    /// Another handle on the same state.
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<S: Default> Default for State<S> {
    fn default() -> Self {
        Self::new(S::default())
    }
}

impl<S: fmt::Debug> fmt::Debug for State<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&*self.lock()).finish()
    }
}

impl<S: Serialize> Serialize for State<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        self.lock().serialize(serializer)
    }
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for State<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        S::deserialize(deserializer).map(Self::new)
    }
}
