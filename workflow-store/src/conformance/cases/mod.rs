//! The conformance cases, one async fn each, grouped by what they check.

mod leases;
mod ready;
mod records;
mod runs;

pub use leases::{lease_fences_old_owner, release_hands_back, renew_extends};
pub use ready::{
    claim_ready_is_exclusive, claim_ready_picks_ready_runs, input_wakes_and_is_consumed,
    timers_set_clear_and_wake,
};
pub use records::{journal_appends_in_order, snapshot_compacts, stream_appends_and_reads};
pub use runs::{
    concurrent_commits_land, create_and_load, create_twice, finished_blocks_writes,
    list_filters_and_pages, notices_follow_changes,
};

use std::fmt::Debug;

use crate::batch::Batch;
use crate::conformance::Env;
use crate::error::StoreError;
use crate::run::{Claimed, RunStatus};

/// The error of `result`, which must have failed.
fn failure<T: Debug>(result: Result<T, StoreError>) -> StoreError {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// A new run of workflow "w" (fingerprint "f") that `owner` holds.
async fn created(env: &Env, owner: &str) -> Claimed {
    let run = env.new_run("w", "f");
    env.store
        .create(run, &env.owner(owner))
        .await
        .expect("create")
}

/// Commits a status change to the run `claimed` holds.
async fn set_status(env: &Env, claimed: &Claimed, status: RunStatus) {
    let batch = Batch::new(claimed.run.journal_next).status(status);
    env.store
        .commit(&claimed.lease, batch)
        .await
        .expect("commit the status");
}
