//! A run's events as a response body: server-sent events, each with its
//! sequence number as its `id`, or newline-delimited JSON; the run's own
//! observer events only when asked for; a heartbeat while the run is idle.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};

use crate::log::Frame;

/// How often an idle SSE stream gets a comment, so that proxies and
/// clients keep it open: LlamaIndex's 25 s.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(25);

/// How a reader asked for a run's events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Server-sent events, or NDJSON.
    pub(crate) sse: bool,
    /// Whether the run's own observer events are included.
    pub(crate) include_internal: bool,
    /// How long an SSE stream may be silent before a heartbeat.
    pub(crate) heartbeat: Duration,
}

/// The response that streams `frames`, batches of a run's events in
/// order, until they end.
pub(crate) fn respond(
    frames: impl Stream<Item = Vec<Frame>> + Send + 'static,
    shape: Shape,
) -> Response {
    let frames = Box::pin(frames);
    let chunks = futures_util::stream::unfold(frames, move |mut frames| async move {
        loop {
            let next = match shape.sse {
                true => match tokio::time::timeout(shape.heartbeat, frames.next()).await {
                    Ok(next) => next,
                    Err(_idle) => {
                        return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), frames));
                    }
                },
                false => frames.next().await,
            };
            let batch = next?;
            let chunk = encode(&batch, shape);
            if !chunk.is_empty() {
                return Some((
                    Ok::<_, std::convert::Infallible>(Bytes::from(chunk)),
                    frames,
                ));
            }
        }
    });
    let content_type = match shape.sse {
        true => "text/event-stream; charset=utf-8",
        false => "application/x-ndjson",
    };
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tells nginx and its kind not to hold the stream back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// One chunk of the body for `batch`.
fn encode(batch: &[Frame], shape: Shape) -> Vec<u8> {
    let wanted = batch
        .iter()
        .filter(|frame| shape.include_internal || !frame.internal)
        .map(|frame| match shape.sse {
            true => &frame.sse,
            false => &frame.line,
        });
    let mut out = Vec::with_capacity(batch.iter().map(|frame| frame.sse.len()).sum());
    for bytes in wanted {
        out.extend_from_slice(bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64, internal: bool, json: &'static str) -> Frame {
        Frame::new(seq, internal, json.as_bytes())
    }

    #[test]
    fn sse_frames_carry_their_sequence_and_internal_events_only_when_asked() {
        let batch = [
            frame(0, true, "{\"i\":\"x\"}"),
            frame(1, false, "{\"a\":1}"),
        ];
        let shape = Shape {
            sse: true,
            include_internal: false,
            heartbeat: HEARTBEAT,
        };
        assert_eq!(encode(&batch, shape), b"id: 1\ndata: {\"a\":1}\n\n");
        let all = Shape {
            include_internal: true,
            ..shape
        };
        assert!(encode(&batch, all).starts_with(b"id: 0\ndata: {\"i\":\"x\"}\n\nid: 1"));
        let ndjson = Shape {
            sse: false,
            ..shape
        };
        assert_eq!(encode(&batch, ndjson), b"{\"a\":1}\n");
    }
}
