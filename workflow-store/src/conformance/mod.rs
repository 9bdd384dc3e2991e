//! The cases every [`Store`] backend must pass, and [`conformance_tests!`](crate::conformance_tests),
//! which turns them into one test per case for a backend's own crate.
//!
//! A backend runs the suite from a test file with a factory that builds a
//! fresh store on the clock it is given:
//!
//! ```
//! use workflow_store::MemoryStore;
//! use workflow_store::conformance::Fixture;
//!
//! workflow_store::conformance_tests!(|clock| async move { Fixture::new(MemoryStore::with_clock(clock)) });
//! # fn main() {}
//! ```
//!
//! The tests run on tokio's multi-threaded runtime, so the crate that
//! expands the macro needs tokio with the `macros` and `rt-multi-thread`
//! features among its dev-dependencies.

pub mod cases;

use std::any::Any;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use workflow_model::RunId;

use crate::clock::ManualClock;
use crate::lease::Owner;
use crate::run::{NewRun, WorkflowKey};
use crate::store::Store;

/// A store built for one case, and whatever must live as long as it (a
/// temporary directory, say); or none, when the backend is not available
/// where the tests run.
pub struct Fixture {
    store: Option<Arc<dyn Store>>,
    _keep: Box<dyn Any + Send>,
}

impl Fixture {
    /// A fixture of `store` alone.
    pub fn new(store: impl Store) -> Self {
        Self::keeping(store, ())
    }

    /// A fixture of `store` that keeps `keep` (dropped after the case).
    pub fn keeping(store: impl Store, keep: impl Send + 'static) -> Self {
        Self {
            store: Some(Arc::new(store)),
            _keep: Box::new(keep),
        }
    }

    /// No store: the backend (a database server, say) is not reachable
    /// here, so the case is not run and its test passes. The factory that
    /// returns this says so where the tester sees it.
    pub fn skipped() -> Self {
        Self {
            store: None,
            _keep: Box::new(()),
        }
    }
}

/// What a case works with: the store, and the clock the store was built on.
#[derive(Clone)]
pub struct Env {
    /// The store under test.
    pub store: Arc<dyn Store>,
    /// The store's clock: advance it to expire leases and make timers due.
    pub clock: ManualClock,
}

/// How long the leases the cases take last.
pub const LEASE: Duration = Duration::from_secs(30);

impl Env {
    /// A worker named `id` with leases of [`LEASE`].
    pub fn owner(&self, id: &str) -> Owner {
        Owner::new(id, LEASE)
    }

    /// A new run of workflow `name` at fingerprint `fingerprint`.
    pub fn new_run(&self, name: &str, fingerprint: &str) -> NewRun {
        NewRun {
            id: RunId::next(),
            workflow: WorkflowKey::new(name, fingerprint),
            start: format!("start of {name}").into_bytes(),
        }
    }

    /// The time on the store's clock `after` from now.
    pub fn later(&self, after: Duration) -> SystemTime {
        crate::Clock::now(&self.clock) + after
    }
}

/// Where the clock of every case starts: a whole second, so that every
/// backend stores it exactly.
pub fn start_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// Runs `case` on a fresh store from `factory`, unless the factory
/// [skipped](Fixture::skipped) it.
pub async fn run<F, Made, C, Done>(factory: F, case: C)
where
    F: FnOnce(ManualClock) -> Made,
    Made: Future<Output = Fixture>,
    C: FnOnce(Env) -> Done,
    Done: Future<Output = ()>,
{
    let clock = ManualClock::new(start_time());
    let fixture = factory(clock.clone()).await;
    if let Some(store) = &fixture.store {
        case(Env {
            store: Arc::clone(store),
            clock,
        })
        .await;
    }
    drop(fixture);
}

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh
/// store from the factory: a closure from a [`ManualClock`] to a future of
/// a [`Fixture`](crate::conformance::Fixture). See [the module](crate::conformance).
#[macro_export]
macro_rules! conformance_tests {
    ($factory:expr) => {
        $crate::conformance_tests!(@cases ($factory)
            create_and_load
            create_twice
            journal_appends_in_order
            snapshot_compacts
            stream_appends_and_reads
            lease_fences_old_owner
            renew_extends
            release_hands_back
            claim_ready_picks_ready_runs
            claim_ready_is_exclusive
            input_wakes_and_is_consumed
            timers_set_clear_and_wake
            finished_blocks_writes
            list_filters_and_pages
            notices_follow_changes
            concurrent_commits_land
        );
    };
    (@cases ($factory:expr) $($case:ident)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::conformance::run($factory, $crate::conformance::cases::$case).await;
            }
        )*
    };
}
