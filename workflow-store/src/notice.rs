//! [`Notice`]: the hint that a run changed.

use tokio::sync::broadcast;
use workflow_model::RunId;

/// What changed in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// It was created.
    Created,
    /// Its stream grew.
    Stream,
    /// Input arrived.
    Input,
    /// Its status changed.
    Status,
    /// Its timers changed.
    Timer,
    /// Its lease was let go while it still runs: any worker may take it
    /// up now.
    Released,
}

/// A hint that run `run` changed in the way `what` says.
///
/// Notices are hints, never the only signal: a receiver that lagged
/// (missed notices because the channel is bounded) must re-read what it
/// watches, and a backend shared by processes may not see other
/// processes' changes at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The run that changed.
    pub run: RunId,
    /// What changed.
    pub what: Change,
}

/// How many notices a receiver may fall behind by before it lags.
pub(crate) const CAPACITY: usize = 1024;

/// Sends the notices, ignoring that no one may be listening.
pub(crate) fn announce(
    sender: &broadcast::Sender<Notice>,
    notices: impl IntoIterator<Item = Notice>,
) {
    for notice in notices {
        // An error only means that no receiver exists: nothing to tell.
        let _ = sender.send(notice);
    }
}
