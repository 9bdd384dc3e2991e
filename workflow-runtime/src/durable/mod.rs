//! Durable runs: a run that records itself in a [`Store`] as it goes, and
//! goes on from its record after its process ends.
//!
//! A runner given a store with [`Runner::durable`](crate::Runner::durable)
//! records each of its runs there:
//!
//! - when it starts, before its first step runs;
//! - whenever invocations finish, what they returned and sent, routed to
//!   the invocations they queue, with the run's state, the events its
//!   collectors hold, its fan-outs and its inbox: the run's whole
//!   [`RunSnapshot`](workflow_model::snapshot::RunSnapshot), which replaces
//!   the one before. An invocation starts only once the record of what
//!   queued it is in the store;
//! - what its waits received, and what its effects
//!   ([`StepContext::once`](crate::StepContext::once)) returned, before the
//!   effect's call returns;
//! - every event of its stream, by sequence number;
//! - how it ended.
//!
//! A run whose caller let go of its handler, and which only waits for
//! input, parks: it is marked parked in the store and its task ends, until
//! [`Runner::send_input`](crate::Runner::send_input) records input for it
//! and takes it up again. [`Runner::stored_events`](crate::Runner::stored_events)
//! and [`Runner::stored_outcome`](crate::Runner::stored_outcome) read a run
//! from the store, wherever it runs. A run's timeout, and a wait's, are
//! deadlines kept in the store.
//!
//! [`Runner::recover`](crate::Runner::recover) goes on with the runs a
//! store holds unfinished. An invocation that was in flight when the
//! process ended runs again from its top, with the answers its waits had
//! received and the results of its effects: a step runs at least once, and
//! an invocation whose end is recorded never runs again.
//!
//! The handler of a durable run is its caller's view of it, not its owner:
//! dropping it leaves the run going, and
//! [`Runner::attach`](crate::Runner::attach) in another process takes it
//! up once this one has ended. [`cancel`](crate::WorkflowHandler::cancel)
//! ends it, and the store records that. A run whose store fails stops with
//! [`WorkflowError::Store`](crate::WorkflowError::Store) and stays at its
//! last record, as does a suspended one, which lets go of its lease.
//!
//! Many processes may share one store (a database, with the store crate's
//! `PostgresStore`): [`Runner::submit`](crate::Runner::submit)
//! records a run for any of them to run, and each that calls
//! [`Runner::work`](crate::Runner::work) takes up the ready runs of its
//! workflow and build. A run is written under a lease that its worker
//! renews while the run is live; a worker that dies, or is cut off or
//! paused past its lease, loses its runs to the others, and a lease
//! fenced by epoch keeps it from writing to them again.

mod cancel;
mod commit;
mod input;
mod journal;
mod live;
mod outcome;
mod read;
mod recover;
mod submit;
mod watch;
mod work;

use std::sync::Arc;
use std::time::Duration;

use workflow_model::snapshot::fingerprint;
use workflow_store::{Owner, Store, WorkflowKey};

use crate::workflow::Workflow;

pub(crate) use commit::Journaling;
pub use input::InputError;
pub(crate) use input::add_later_inputs;
pub(crate) use journal::Journal;
pub(crate) use live::Live;
pub use read::{StoredEvent, StoredOutcome};
pub use recover::{RecoverError, Recovered};
pub use work::Worked;

/// How long a lease of a run lasts unless renewed: a run renews it while
/// it goes on, and another worker may take the run over once it lapses.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// The store's timer of a run's timeout: due when the run times out.
pub(crate) const RUN_TIMEOUT: &str = "run-timeout";

/// Where a durable runner's runs are recorded, and as which worker.
pub(crate) struct Durability {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) owner: Owner,
    /// The workflow's name and fingerprint, as the store files its runs.
    pub(crate) key: WorkflowKey,
    /// Set once the task that hands live runs the input other processes
    /// record is started (see [`watch_inputs`](Self::watch_inputs)).
    watching: std::sync::OnceLock<()>,
}

impl Durability {
    pub(crate) fn new<W: Workflow>(store: Arc<dyn Store>, worker: String) -> Self {
        let key = WorkflowKey::new(W::NAME, fingerprint::<W>());
        Self::with_owner(store, Owner::new(worker, DEFAULT_LEASE), key)
    }

    /// Runs of the workflow `key` in `store`, as `owner`.
    pub(crate) fn with_owner(store: Arc<dyn Store>, owner: Owner, key: WorkflowKey) -> Self {
        Self {
            store,
            owner,
            key,
            watching: std::sync::OnceLock::new(),
        }
    }
}

/// The id a worker goes by when none is given: one per machine, so that a
/// process started again after a crash takes its runs up at once rather
/// than waiting for their leases to lapse.
pub(crate) fn default_worker() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|name| !name.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "local".to_owned())
}
