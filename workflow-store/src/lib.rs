//! The durable store of journaled workflow runs for `typed-workflows`.
//!
//! A [`Store`] keeps, for each run: its metadata, an append-only journal
//! of opaque records (with snapshots that compact it), its stream of
//! events, the input sent to it from outside, and its timers. Workers take
//! a run's [`Lease`] to write to it; every [`commit`](Store::commit) is
//! conditional on the lease (owner and fencing epoch) and on the journal's
//! and stream's next sequence numbers, so that many workers can share one
//! store.
//!
//! Backends: [`MemoryStore`] (the reference), and, with the default
//! `sqlite` feature, `SqliteStore`, an embedded file with group commit;
//! with the `postgres` feature, `PostgresStore`, a PostgreSQL database
//! that worker processes share.
//! With the `conformance` feature, `conformance_tests!` runs the cases
//! every backend must pass, and `faults::Faulty` fails chosen operations of
//! a store, for tests of how callers handle a failing store.

mod batch;
mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
#[cfg(feature = "conformance")]
pub mod faults;
mod head;
mod lease;
mod memory;
mod notice;
#[cfg(feature = "postgres")]
mod postgres;
mod run;
mod shared;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub use batch::{Batch, Committed, TimerChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Log, StoreError};
pub use lease::{Lease, Owner};
pub use memory::MemoryStore;
pub use notice::{Change, Notice};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
pub use run::{
    Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, RunStatus, Snapshot, StatusKind,
    StreamRecord, Timer, WorkflowKey,
};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore};
pub use store::{BoxFuture, Store};
