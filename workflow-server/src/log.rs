//! The events of a run this server keeps in memory, each encoded once as
//! its envelope's JSON, for every reader of its stream, when the first
//! reader that wants it reads it: a run no one streams encodes nothing
//! but its result.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use serde_json::json;
use tokio::sync::watch;
use workflow_model::AnyEvent;

use crate::describe::{Description, OBSERVER_EVENTS};
use crate::wire::Envelope;

/// One event of a run's stream, as its readers get it: encoded once, as
/// a server-sent event and as a line of NDJSON, for every reader.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Whether it is one of the run's own observer events.
    pub(crate) internal: bool,
    /// `id: <seq>\ndata: <envelope>\n\n`.
    pub(crate) sse: Bytes,
    /// `<envelope>\n`: a slice of the same bytes.
    pub(crate) line: Bytes,
    /// Its sequence number in the run, from 0; internal events count.
    pub(crate) seq: u64,
}

impl Frame {
    /// The frame of `event`, numbered `seq`, of a workflow `description`
    /// describes.
    pub(crate) fn of(event: &AnyEvent, seq: u64, description: &Description) -> Self {
        let internal = OBSERVER_EVENTS.contains(&event.name());
        let json = Envelope::of(event, description.qualified_name(event.name()), internal)
            .and_then(|envelope| serde_json::to_vec(&envelope))
            .unwrap_or_else(|error| unserializable(event, &error));
        Self::new(seq, internal, &json)
    }

    /// The frame of the event numbered `seq` whose envelope is `json`.
    pub(crate) fn new(seq: u64, internal: bool, json: &[u8]) -> Self {
        let head = format!("id: {seq}\ndata: ");
        let mut bytes = Vec::with_capacity(head.len() + json.len() + 2);
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(json);
        bytes.extend_from_slice(b"\n\n");
        let sse = Bytes::from(bytes);
        let line = sse.slice(head.len()..sse.len() - 1);
        Self {
            internal,
            sse,
            line,
            seq,
        }
    }
}

/// The envelope of an event that does not serialize: its name, and why,
/// so that a reader sees that it was there.
pub(crate) fn unserializable(event: &AnyEvent, error: &serde_json::Error) -> Vec<u8> {
    tracing::warn!(event = event.name(), %error, "an event of a served run does not serialize");
    let envelope = json!({
        "value": { "_error": format!("`{}` does not serialize: {error}", event.name()) },
        "qualified_name": null,
        "type": event.name(),
        "types": null,
    });
    envelope.to_string().into_bytes()
}

/// An event of a log: as the run published it, until a reader wants it.
enum Entry {
    Published { seq: u64, event: AnyEvent },
    Encoded(Frame),
}

impl Entry {
    fn seq(&self) -> u64 {
        match self {
            Self::Published { seq, .. } => *seq,
            Self::Encoded(frame) => frame.seq,
        }
    }

    fn is_internal(&self) -> bool {
        match self {
            Self::Published { event, .. } => OBSERVER_EVENTS.contains(&event.name()),
            Self::Encoded(frame) => frame.internal,
        }
    }
}

/// A run's events so far, and whether more may come.
pub(crate) struct Log {
    entries: Mutex<Vec<Entry>>,
    /// How the events are named in their envelopes.
    description: Arc<Description>,
    /// How many events there are, and whether the run has ended; readers
    /// wait on it.
    progress: watch::Sender<Progress>,
}

/// What a reader of a [`Log`] waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Progress {
    pub(crate) frames: usize,
    pub(crate) ended: bool,
}

impl Log {
    /// An empty log of a run of the workflow `description` describes.
    pub(crate) fn new(description: Arc<Description>) -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
            description,
            progress: watch::Sender::new(Progress::default()),
        }
    }

    /// Adds `events`, each with its sequence number, in order, and wakes
    /// the readers once.
    pub(crate) fn extend(&self, events: impl IntoIterator<Item = (u64, AnyEvent)>) {
        let count = {
            let mut entries = self.lock();
            entries.extend(
                events
                    .into_iter()
                    .map(|(seq, event)| Entry::Published { seq, event }),
            );
            entries.len()
        };
        self.progress
            .send_modify(|progress| progress.frames = count);
    }

    /// Marks the log complete: no event comes after the ones it holds.
    pub(crate) fn end(&self) {
        self.progress.send_modify(|progress| progress.ended = true);
    }

    /// The frames from index `from` on, the run's own observer events
    /// among them only if `internal`, and the index after the last read.
    pub(crate) fn read(&self, from: usize, internal: bool) -> (Vec<Frame>, usize) {
        let mut entries = self.lock();
        let end = entries.len().max(from);
        let mut frames = Vec::new();
        for entry in entries.get_mut(from..).into_iter().flatten() {
            if entry.is_internal() && !internal {
                continue;
            }
            if let Entry::Published { seq, event } = entry {
                *entry = Entry::Encoded(Frame::of(event, *seq, &self.description));
            }
            if let Entry::Encoded(frame) = entry {
                frames.push(frame.clone());
            }
        }
        (frames, end)
    }

    /// The envelope of the last event, as a JSON value: a run's stop
    /// event, for its record.
    pub(crate) fn last_envelope(&self) -> Option<serde_json::Value> {
        let entries = self.lock();
        let json = match entries.last()? {
            Entry::Published { seq, event } => Frame::of(event, *seq, &self.description).line,
            Entry::Encoded(frame) => frame.line.clone(),
        };
        serde_json::from_slice(&json).ok()
    }

    /// The index of the first event numbered after `seq`.
    pub(crate) fn index_after(&self, seq: u64) -> usize {
        self.lock().partition_point(|entry| entry.seq() <= seq)
    }

    /// How many events there are now.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// A receiver of the log's progress, to wait for more.
    pub(crate) fn watch(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
