//! The events of a run this server keeps in memory, each encoded once as
//! its envelope's JSON, for every reader of its stream.

use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use tokio::sync::watch;

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

/// A run's events so far, and whether more may come.
#[derive(Debug)]
pub(crate) struct Log {
    frames: Mutex<Vec<Frame>>,
    /// How many frames there are, and whether the run has ended; readers
    /// wait on it.
    progress: watch::Sender<Progress>,
}

/// What a reader of a [`Log`] waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Progress {
    pub(crate) frames: usize,
    pub(crate) ended: bool,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            frames: Mutex::new(Vec::new()),
            progress: watch::Sender::new(Progress::default()),
        }
    }
}

impl Log {
    /// Adds `frames`, in order, and wakes the readers once.
    pub(crate) fn extend(&self, frames: impl IntoIterator<Item = Frame>) {
        let count = {
            let mut held = self.lock();
            held.extend(frames);
            held.len()
        };
        self.progress
            .send_modify(|progress| progress.frames = count);
    }

    /// Marks the log complete: no frame comes after the ones it holds.
    pub(crate) fn end(&self) {
        self.progress.send_modify(|progress| progress.ended = true);
    }

    /// The frames from index `from` on.
    pub(crate) fn from(&self, from: usize) -> Vec<Frame> {
        self.lock()
            .get(from..)
            .map(<[Frame]>::to_vec)
            .unwrap_or_default()
    }

    /// The index of the first frame numbered after `seq`.
    pub(crate) fn index_after(&self, seq: u64) -> usize {
        self.lock().partition_point(|frame| frame.seq <= seq)
    }

    /// How many frames there are now.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// A receiver of the log's progress, to wait for more.
    pub(crate) fn watch(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Frame>> {
        self.frames.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
