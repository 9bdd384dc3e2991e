//! [`StartEvent`], the built-in event that begins a run.

mod depth;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::event::{Event, EventKind};

/// The built-in start event: named JSON values, as LlamaIndex's `StartEvent`
/// carries keyword arguments.
///
/// ```
/// use typed_workflows::StartEvent;
///
/// let start = StartEvent::new().with("topic", "whales").with("limit", 3);
/// assert_eq!(start.get::<String>("topic").unwrap(), "whales");
/// assert_eq!(start.get::<u32>("limit").unwrap(), 3);
///
/// let missing = start.get::<String>("author").unwrap_err();
/// assert_eq!(missing.to_string(), "the start event has no value named `author` (it has: limit, topic)");
/// ```
///
/// A workflow that wants a typed start instead derives [`Event`] on its own
/// type with `#[event(start)]`.
///
/// A value nests at most [`MAX_DEPTH`](Self::MAX_DEPTH) arrays and objects
/// in one another: one nested deeper is refused where it would enter the
/// event, by [`try_with`](Self::try_with) and when deserializing, without
/// recursing into it, as reading, cloning or dropping it in a run would
/// overflow the stack of the thread doing so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StartEvent {
    #[serde(deserialize_with = "depth::deserialize_values")]
    values: Map<String, Value>,
}

impl StartEvent {
    /// How deeply a value may nest arrays and objects in one another: 128,
    /// as deeply as `serde_json` parses JSON text by default. `[[1]]` nests
    /// 2.
    pub const MAX_DEPTH: usize = depth::MAX_DEPTH;

    /// A start event with no values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the value `value` under `key`, replacing any value already there.
    ///
    /// # Panics
    ///
    /// If `value` cannot be represented as JSON (a map with non-string keys,
    /// say) or nests deeper than [`MAX_DEPTH`](Self::MAX_DEPTH); use
    /// [`try_with`](Self::try_with) to handle these cases.
    pub fn with(self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.try_with(key, value)
            .unwrap_or_else(|error| match &error {
                StartValueError::NotJson { source, .. } => panic!("{error}: {source}"),
                _ => panic!("{error}"),
            })
    }

    /// Adds the value `value` under `key`, or says why it cannot be a start
    /// event's value: [`StartValueError::NotJson`] or
    /// [`StartValueError::TooDeep`].
    ///
    /// ```
    /// use typed_workflows::{StartEvent, StartValueError};
    ///
    /// let mut deep = serde_json::json!("bottom");
    /// for _ in 0..StartEvent::MAX_DEPTH + 1 {
    ///     deep = serde_json::json!([deep]);
    /// }
    /// let error = StartEvent::new().try_with("deep", &deep).unwrap_err();
    /// assert!(matches!(error, StartValueError::TooDeep { limit: 128, .. }));
    /// ```
    pub fn try_with(
        mut self,
        key: impl Into<String>,
        value: impl Serialize,
    ) -> Result<Self, StartValueError> {
        let key = key.into();
        match depth::to_value(&value) {
            Ok(value) => {
                self.values.insert(key, value);
                Ok(self)
            }
            Err(depth::Refused::TooDeep) => Err(StartValueError::TooDeep {
                key,
                limit: Self::MAX_DEPTH,
            }),
            Err(depth::Refused::NotJson(source)) => Err(StartValueError::NotJson { key, source }),
        }
    }

    /// The value under `key`, as a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T, StartValueError> {
        let value = self
            .values
            .get(key)
            .ok_or_else(|| StartValueError::Missing {
                key: key.to_owned(),
                present: self.values.keys().cloned().collect::<Vec<_>>().join(", "),
            })?;
        T::deserialize(value).map_err(|source| StartValueError::WrongType {
            key: key.to_owned(),
            expected: short_type_name(std::any::type_name::<T>()),
            source,
        })
    }

    /// The raw JSON value under `key`.
    pub fn get_json(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// All values, by name.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }
}

impl Event for StartEvent {
    const NAME: &'static str = "StartEvent";
    const KEY: &'static str = "typed_workflows::StartEvent";
    const KIND: EventKind = EventKind::Start;
    const FIELDS: &'static [(&'static str, &'static str)] = &[("values", "JSON by name")];
    type AsStart = Self;
    type AsStop = crate::roles::Absent;
}

/// Why a start event has no value of the type asked for
/// ([`StartEvent::get`]), or takes no value it was given
/// ([`StartEvent::try_with`], and deserializing a [`StartEvent`]).
///
/// ```
/// use typed_workflows::{StartEvent, StartValueError};
///
/// let start = StartEvent::new().with("pages", "many");
/// let error = start.get::<u32>("pages").unwrap_err();
/// assert!(matches!(error, StartValueError::WrongType { .. }));
/// assert_eq!(error.to_string(), "the start event's value `pages` is not a `u32`");
/// let error = start.get::<u32>("chapters").unwrap_err();
/// assert_eq!(error.to_string(), "the start event has no value named `chapters` (it has: pages)");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartValueError {
    /// No value has that name.
    #[error("the start event has no value named `{key}` (it has: {present})")]
    Missing {
        /// The name asked for.
        key: String,
        /// The names present, comma-separated.
        present: String,
    },
    /// The value is there but does not deserialize as the type asked for;
    /// serde's message is the error's
    /// [`source`](std::error::Error::source), which `{:#}` on an
    /// `anyhow::Error` prints after this one.
    #[error("the start event's value `{key}` is not a `{expected}`")]
    WrongType {
        /// The name asked for.
        key: String,
        /// The type asked for, without module paths (`Vec<String>`).
        expected: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// The value given cannot be represented as JSON.
    #[error("the start event's value `{key}` is not JSON")]
    NotJson {
        /// The name it was given under.
        key: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// The value given nests arrays and objects deeper than
    /// [`StartEvent::MAX_DEPTH`].
    #[error("the start event's value `{key}` is nested deeper than {limit} arrays and objects")]
    TooDeep {
        /// The name it was given under.
        key: String,
        /// [`StartEvent::MAX_DEPTH`].
        limit: usize,
    },
}

/// `alloc::vec::Vec<alloc::string::String>` becomes `Vec<String>`: the last
/// segment of every path in a type's name, as users write it.
fn short_type_name(full: &str) -> String {
    let mut short = String::with_capacity(full.len());
    let mut path = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            path.push(c);
        } else {
            short.push_str(last_segment(&path));
            path.clear();
            short.push(c);
        }
    }
    short.push_str(last_segment(&path));
    short
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// An event that begins a run: [`StartEvent`], or a user event derived with
/// `#[event(start)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a start event",
    note = "accept `StartEvent` in the step that begins the run, or derive `Event` with `#[event(start)]` on your own start event"
)]
pub trait StartEventType: Event {}

impl<E: Event<AsStart = E>> StartEventType for E {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_their_module_paths() {
        assert_eq!(short_type_name("alloc::string::String"), "String");
        assert_eq!(
            short_type_name("alloc::vec::Vec<alloc::string::String>"),
            "Vec<String>"
        );
        assert_eq!(
            short_type_name("std::collections::hash::map::HashMap<u32, (i8, &str)>"),
            "HashMap<u32, (i8, &str)>"
        );
    }

    #[test]
    fn a_wrong_type_names_the_key_and_the_short_type() {
        let start = StartEvent::new().with("n", "seven");
        let error = start.get::<Vec<u32>>("n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the start event's value `n` is not a `Vec<u32>`"
        );
    }
}
