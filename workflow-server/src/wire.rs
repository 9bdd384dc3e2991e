//! The JSON of LlamaIndex's workflow server protocol: event envelopes,
//! handler records, and the bodies of requests, as its client sends and
//! reads them.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};
use workflow_model::{AnyEvent, StartEvent};

use crate::error::ApiError;

/// The field under which LlamaIndex's events carry the values their class
/// does not declare; a start or input event's fields may come under it.
const UNDECLARED: &str = "_data";

/// An event as the protocol carries it: its value, its name, its
/// qualified name, and the base classes (`InternalDispatchEvent` for the
/// run's own observer events).
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) value: Value,
    pub(crate) qualified_name: Option<&'a str>,
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
    pub(crate) types: Option<[&'a str; 1]>,
}

/// The base class the protocol names for the run's own events.
const INTERNAL: [&str; 1] = ["InternalDispatchEvent"];

impl<'a> Envelope<'a> {
    /// The envelope of `event`, known as `qualified_name`.
    pub(crate) fn of(
        event: &AnyEvent,
        qualified_name: Option<&'a str>,
        internal: bool,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            value: event_value(event)?,
            qualified_name,
            kind: event.name(),
            types: internal.then_some(INTERNAL),
        })
    }
}

/// An event's value as the protocol shows it: its JSON, but for the
/// built-in start event, whose values are its fields.
pub(crate) fn event_value(event: &AnyEvent) -> Result<Value, serde_json::Error> {
    match event.downcast_ref::<StartEvent>() {
        Some(start) => Ok(Value::Object(start.values().clone())),
        None => event.to_json(),
    }
}

/// A run's status, as handler records name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Going on, or waiting for input.
    Running,
    /// Ended with its stop event.
    Completed,
    /// Ended with an error.
    Failed,
    /// Cancelled by its caller.
    Cancelled,
}

impl Status {
    /// The status a filter names, as the protocol spells it.
    pub(crate) fn parse(text: &str) -> Result<Self, ApiError> {
        Ok(match text {
            "running" => Self::Running,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            other => {
                return Err(ApiError::bad_request(format!(
                    "`{other}` is not a status; the statuses are: running, completed, failed, cancelled"
                )));
            }
        })
    }

    /// Whether the run has ended.
    pub(crate) fn is_done(self) -> bool {
        self != Self::Running
    }
}

/// A handler record: what the protocol says of a run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HandlerRecord {
    pub(crate) handler_id: String,
    pub(crate) workflow_name: String,
    pub(crate) run_id: String,
    pub(crate) error: Option<String>,
    /// The envelope of the stop event, once the run completed.
    pub(crate) result: Option<Value>,
    pub(crate) result_unreadable: bool,
    pub(crate) status: Status,
    pub(crate) started_at: String,
    pub(crate) updated_at: String,
    pub(crate) completed_at: Option<String>,
}

impl HandlerRecord {
    /// The record as `GET /results/{id}` gives it: the result is the stop
    /// event's `result`, or the stop event itself for a stop event of the
    /// workflow's own type.
    pub(crate) fn with_bare_result(mut self) -> Self {
        if let Some(Value::Object(mut envelope)) = self.result.take() {
            let value = envelope.remove("value").unwrap_or(Value::Null);
            self.result = Some(match value {
                Value::Object(mut fields)
                    if envelope.get("type") == Some(&Value::from("StopEvent")) =>
                {
                    fields.remove("result").unwrap_or(Value::Null)
                }
                other => other,
            });
        }
        self
    }
}

/// `time` as RFC 3339 in UTC, to the microsecond, as LlamaIndex writes it.
pub(crate) fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_micros(time).to_string()
}

/// What a run request asks: the start event's value, the context to
/// resume from, and the finished handler to go on from.
#[derive(Debug, Default)]
pub(crate) struct RunRequest {
    pub(crate) start: Map<String, Value>,
    pub(crate) context: Option<Value>,
    pub(crate) handler_id: Option<String>,
}

impl RunRequest {
    /// Reads a run request's body: `{"start_event", "context",
    /// "handler_id", "kwargs"}`, each optional, the start event bare or in
    /// an envelope, its fields in the open or under `_data`; the values of
    /// `kwargs` join the start event's, as LlamaIndex passes them to its
    /// start event.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let mut body = object(parse_json(body)?, "the request body")?;
        let mut start = match body.remove("start_event") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::String(text)) => object(parse_json(text.as_bytes())?, "`start_event`")?,
            Some(value) => object(value, "`start_event`")?,
        };
        if is_envelope(&start) {
            start = match start.remove("value") {
                Some(value) => object(value, "the start event's `value`")?,
                None => Map::new(),
            };
        }
        let mut start = open_undeclared(start, "the start event")?;
        match body.remove("kwargs") {
            None | Some(Value::Null) => {}
            Some(kwargs) => start.extend(object(kwargs, "`kwargs`")?),
        }
        let context = body.remove("context").filter(|context| match context {
            Value::Null => false,
            Value::Object(fields) => !fields.is_empty(),
            _ => true,
        });
        let handler_id = match body.remove("handler_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => Some(id),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "`handler_id` must be a string, not {other}"
                )));
            }
        };
        Ok(Self {
            start,
            context,
            handler_id,
        })
    }
}

/// What `POST /events/{id}` sends: an event's name and value, and the
/// step it goes to alone, if one is named.
#[derive(Debug)]
pub(crate) struct SentEvent {
    pub(crate) name: String,
    pub(crate) value: Value,
    pub(crate) step: Option<String>,
}

impl SentEvent {
    /// Reads `{"event": <envelope, or its JSON text>, "step": "..."}`.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let mut body = object(parse_json(body)?, "the request body")?;
        let mut event = match body.remove("event") {
            Some(Value::String(text)) => object(parse_json(text.as_bytes())?, "`event`")?,
            Some(value) => object(value, "`event`")?,
            None => {
                return Err(ApiError::bad_request(
                    "the request body has no `event`: send {\"event\": {\"type\": \"HumanResponseEvent\", \"value\": {...}}}",
                ));
            }
        };
        let name = match (event.remove("type"), event.remove("qualified_name")) {
            (Some(Value::String(name)), _) => name,
            (_, Some(Value::String(qualified))) => last_segment(&qualified).to_owned(),
            _ => {
                return Err(ApiError::bad_request(
                    "the event has no `type`: name the event's type, as in {\"type\": \"HumanResponseEvent\", \"value\": {...}}",
                ));
            }
        };
        let value = match event.remove("value").or_else(|| event.remove("data")) {
            None | Some(Value::Null) => Map::new(),
            Some(value) => object(value, "the event's `value`")?,
        };
        let step = match body.remove("step") {
            None | Some(Value::Null) => None,
            Some(Value::String(step)) => Some(step),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "`step` must be a step's name, not {other}"
                )));
            }
        };
        Ok(Self {
            name,
            value: Value::Object(open_undeclared(value, "the event")?),
            step,
        })
    }
}

/// The name at the end of a qualified name: `Tick` of `__main__.Tick` or
/// `app::events::Tick`.
fn last_segment(qualified: &str) -> &str {
    qualified.rsplit(['.', ':']).next().unwrap_or(qualified)
}

/// Whether `fields` is an envelope rather than an event's value.
fn is_envelope(fields: &Map<String, Value>) -> bool {
    fields.get("type").is_some_and(Value::is_string)
        && fields
            .keys()
            .all(|key| matches!(key.as_str(), "type" | "value" | "qualified_name" | "types"))
}

/// `fields` with those under `_data` moved into the open.
fn open_undeclared(
    mut fields: Map<String, Value>,
    what: &str,
) -> Result<Map<String, Value>, ApiError> {
    match fields.remove(UNDECLARED) {
        None | Some(Value::Null) => {}
        Some(Value::Object(undeclared)) => fields.extend(undeclared),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "{what}'s `{UNDECLARED}` must be an object of its values, not {other}"
            )));
        }
    }
    Ok(fields)
}

/// `body` parsed as JSON, or a 400 saying where it is not. A number with
/// no fraction is read as an integer (`1.0` as `1`), as JSON Schema counts
/// it, so that it fills an integer field.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    let mut value = serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("the request body is not JSON: {error}")))?;
    whole_numbers_as_integers(&mut value);
    Ok(value)
}

/// Turns every number of `value` with no fraction into an integer, where
/// one holds it.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            let whole = number
                .as_f64()
                .filter(|_| number.is_f64())
                .filter(|float| float.fract() == 0.0);
            let integer = whole.and_then(|float| match float < 0.0 {
                true => (float >= i64::MIN as f64).then(|| (float as i64).into()),
                false => (float < u64::MAX as f64).then(|| (float as u64).into()),
            });
            if let Some(integer) = integer {
                *number = integer;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// `value` as an object, or a 400 saying that `what` must be one.
fn object(value: Value, what: &str) -> Result<Map<String, Value>, ApiError> {
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(ApiError::bad_request(format!(
            "{what} must be a JSON object, not {}",
            kind_of(&other)
        ))),
    }
}

/// What kind of JSON value `value` is, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_event_comes_bare_or_enveloped_with_its_undeclared_values_opened() {
        let bare = RunRequest::parse(br#"{"start_event": {"_data": {"x": 41}}, "context": {}}"#);
        let enveloped = RunRequest::parse(
            br#"{"start_event": {"value": {"_data": {"x": 41}}, "type": "StartEvent", "qualified_name": null}}"#,
        );
        for request in [bare, enveloped] {
            let request = request.unwrap();
            assert_eq!(request.start.get("x"), Some(&Value::from(41)));
            assert!(request.context.is_none());
        }
        let kwargs =
            RunRequest::parse(br#"{"start_event": {"a": 1}, "kwargs": {"b": 2}}"#).unwrap();
        assert_eq!(kwargs.start.len(), 2);
        assert!(RunRequest::parse(b"").unwrap().start.is_empty());
    }

    #[test]
    fn malformed_bodies_are_refused_saying_what_is_wrong() {
        let not_json = RunRequest::parse(b"{nope").unwrap_err();
        assert!(
            not_json.detail().contains("not JSON"),
            "{}",
            not_json.detail()
        );
        let not_object = RunRequest::parse(br#"{"start_event": [1]}"#).unwrap_err();
        assert_eq!(
            not_object.detail(),
            "`start_event` must be a JSON object, not an array"
        );
        let no_event = SentEvent::parse(b"{}").unwrap_err();
        assert!(no_event.detail().contains("no `event`"));
        let no_type = SentEvent::parse(br#"{"event": {"value": {}}}"#).unwrap_err();
        assert!(no_type.detail().contains("no `type`"));
    }

    #[test]
    fn whole_numbers_read_as_integers_and_fractions_stay() {
        let value = parse_json(br#"{"a": 1.0, "b": [-2.0, 2.5], "c": 1e3}"#).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a": 1, "b": [-2, 2.5], "c": 1000})
        );
        assert!(value["a"].is_u64() && value["b"][0].is_i64());
    }

    #[test]
    fn a_sent_event_is_an_envelope_or_its_text() {
        let object = SentEvent::parse(
            br#"{"event": {"value": {"_data": {"response": "Ada"}}, "type": "HumanResponseEvent", "qualified_name": null}}"#,
        )
        .unwrap();
        let text = SentEvent::parse(
            br#"{"event": "{\"type\": \"HumanResponseEvent\", \"value\": {\"response\": \"Ada\"}}", "step": "ask"}"#,
        )
        .unwrap();
        for sent in [&object, &text] {
            assert_eq!(sent.name, "HumanResponseEvent");
            assert_eq!(sent.value["response"], "Ada");
        }
        assert_eq!(text.step.as_deref(), Some("ask"));
        let qualified =
            SentEvent::parse(br#"{"event": {"qualified_name": "app.events.Answer", "value": {}}}"#);
        assert_eq!(qualified.unwrap().name, "Answer");
    }

    #[test]
    fn the_bare_result_is_the_stop_events_result() {
        let record = HandlerRecord {
            handler_id: "h".into(),
            workflow_name: "w".into(),
            run_id: "h".into(),
            error: None,
            result: Some(serde_json::json!({"value": {"result": {"x": 42}}, "type": "StopEvent"})),
            result_unreadable: false,
            status: Status::Completed,
            started_at: timestamp(SystemTime::UNIX_EPOCH),
            updated_at: timestamp(SystemTime::UNIX_EPOCH),
            completed_at: None,
        };
        assert_eq!(
            record.with_bare_result().result,
            Some(serde_json::json!({"x": 42}))
        );
        assert_eq!(
            timestamp(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000000Z"
        );
    }
}
