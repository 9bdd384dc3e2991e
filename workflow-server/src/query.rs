//! The query parameters of the routes, read with errors that say what is
//! wrong, where axum's own extractor would only say that they do not
//! deserialize.

use std::collections::HashMap;

use crate::error::ApiError;

/// A route's query parameters, by name.
pub(crate) struct Params(pub(crate) HashMap<String, String>);

/// Where a reader of a run's events starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    /// From the first event.
    Start,
    /// After the event numbered this.
    Seq(u64),
    /// After the events there are now.
    Now,
}

impl Params {
    /// The boolean `name`, `default` when absent.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.0.get(name).map(String::as_str) {
            None | Some("") => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "`{name}` must be true or false, not `{other}`"
            ))),
        }
    }

    /// The text `name`, if given and not empty.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|text| !text.is_empty())
    }

    /// Where `after_sequence` says to start, or `last_event_id` (the SSE
    /// `Last-Event-ID` header), which comes first: a browser's
    /// `EventSource` sends it when it reconnects to the same address.
    pub(crate) fn after(&self, last_event_id: Option<&str>) -> Result<After, ApiError> {
        // Checked even when the header overrides it: a bad request is bad.
        let asked = match self.text("after_sequence") {
            None => After::Now,
            Some(text) => parse_after(text, "`after_sequence`")?,
        };
        match last_event_id.map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => parse_after(id, "the Last-Event-ID header"),
            None => Ok(asked),
        }
    }
}

fn parse_after(text: &str, what: &str) -> Result<After, ApiError> {
    match text {
        "now" => Ok(After::Now),
        "-1" => Ok(After::Start),
        _ => text.parse().map(After::Seq).map_err(|_| {
            ApiError::bad_request(format!(
                "{what} must be an event's sequence number, -1 for the first event, or `now`, not `{text}`"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        )
    }

    #[test]
    fn the_last_event_id_comes_before_after_sequence_which_defaults_to_now() {
        assert_eq!(params(&[]).after(None).unwrap(), After::Now);
        let from_start = params(&[("after_sequence", "-1")]);
        assert_eq!(from_start.after(None).unwrap(), After::Start);
        assert_eq!(from_start.after(Some("7")).unwrap(), After::Seq(7));
        let wrong = params(&[("after_sequence", "-2")]).after(None).unwrap_err();
        assert!(wrong.detail().contains("not `-2`"));
        let wrong_beside_the_header = params(&[("after_sequence", "soon")]).after(Some("3"));
        assert!(wrong_beside_the_header.is_err());
        assert!(params(&[("sse", "maybe")]).flag("sse", true).is_err());
        assert!(!params(&[("sse", "false")]).flag("sse", true).unwrap());
    }
}
