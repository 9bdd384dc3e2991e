//! Leases: exclusive while live, taken over after expiry, fenced by epoch.

use std::time::Duration;

use crate::batch::Batch;
use crate::conformance::{Env, LEASE};
use crate::error::StoreError;
use crate::notice::Change;
use crate::run::RunStatus;

use super::{created, failure};

/// A second owner cannot claim a run while the first's lease is live; it
/// can once it expired, and the first owner's commits then fail.
pub async fn lease_fences_old_owner(env: Env) {
    let first = created(&env, "a").await;
    let id = first.lease.run;
    assert_eq!(first.lease.epoch, 1);
    match failure(env.store.claim(id, &env.owner("b")).await) {
        StoreError::LeaseHeld { run, owner, .. } => assert_eq!((run, owner.as_str()), (id, "a")),
        other => panic!("expected LeaseHeld, got {other}"),
    }

    env.clock.advance(LEASE + Duration::from_secs(1));
    let second = env
        .store
        .claim(id, &env.owner("b"))
        .await
        .expect("claim after expiry");
    assert_eq!(second.lease.epoch, 2);
    assert_eq!(second.run.meta.epoch, 2);

    let late = Batch::new(1).journal(b"from a".to_vec());
    match failure(env.store.commit(&first.lease, late).await) {
        StoreError::LeaseLost {
            run, owner, epoch, ..
        } => assert_eq!((run, owner.as_str(), epoch), (id, "a", 1)),
        other => panic!("expected LeaseLost, got {other}"),
    }
    let current = Batch::new(1).journal(b"from b".to_vec());
    env.store
        .commit(&second.lease, current)
        .await
        .expect("the new owner commits");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(loaded.journal.len(), 1);
    assert_eq!(loaded.journal[0].bytes, b"from b");

    env.clock.advance(LEASE + Duration::from_secs(1));
    assert!(
        matches!(
            failure(env.store.commit(&second.lease, Batch::new(2)).await),
            StoreError::LeaseLost { epoch: 2, .. }
        ),
        "an expired lease cannot write, even unclaimed"
    );

    // Once the new owner has ended the run, the first is still told that
    // it lost the run, not that the run ended.
    let third = env
        .store
        .claim(id, &env.owner("c"))
        .await
        .expect("claim after expiry");
    let end = RunStatus::Finished {
        outcome: b"done".to_vec(),
    };
    env.store
        .commit(&third.lease, Batch::new(2).status(end))
        .await
        .expect("the owner ends the run");
    assert!(matches!(
        failure(env.store.commit(&first.lease, Batch::new(2)).await),
        StoreError::LeaseLost { epoch: 1, .. }
    ));
}

/// Renewing a live lease extends it from now; a lost lease cannot be renewed.
pub async fn renew_extends(env: Env) {
    let claimed = created(&env, "a").await;
    env.clock.advance(Duration::from_secs(20));
    let renewed = env.store.renew(&claimed.lease).await.expect("renew");
    assert_eq!(renewed.expires_at, env.later(LEASE));
    assert_eq!(renewed.epoch, claimed.lease.epoch);

    env.clock.advance(Duration::from_secs(20));
    env.store
        .commit(&renewed, Batch::new(1))
        .await
        .expect("commit within the renewed lease");
    assert!(matches!(
        failure(env.store.claim(claimed.lease.run, &env.owner("b")).await),
        StoreError::LeaseHeld { .. }
    ));

    env.clock.advance(Duration::from_secs(11));
    assert!(matches!(
        failure(env.store.renew(&renewed).await),
        StoreError::LeaseLost { .. }
    ));
}

/// A commit that releases its lease lands its records and leaves the run
/// running, unleased: another worker claims it at once, by id or as a
/// ready run, a notice says so, and the released lease cannot write.
pub async fn release_hands_back(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let mut notices = env.store.notices();
    let handed_back = Batch::new(1).journal(b"last of a".to_vec()).release();
    env.store
        .commit(&claimed.lease, handed_back)
        .await
        .expect("commit and release");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(loaded.meta.status, RunStatus::Running);
    assert_eq!(loaded.journal.len(), 1);
    loop {
        let notice = notices.recv().await.expect("a notice of the release");
        if notice.run == id && notice.what == Change::Released {
            break;
        }
    }

    let key = [loaded.meta.workflow.clone()];
    let taken = env
        .store
        .claim_ready(&env.owner("b"), &key, 10)
        .await
        .expect("claim ready");
    assert_eq!(
        taken
            .iter()
            .map(|claimed| claimed.lease.run)
            .collect::<Vec<_>>(),
        [id],
        "a released run is ready with no wait for its lease to lapse"
    );
    assert_eq!(taken[0].lease.epoch, 2);
    assert!(matches!(
        failure(env.store.commit(&claimed.lease, Batch::new(2)).await),
        StoreError::LeaseLost { epoch: 1, .. }
    ));
    assert!(matches!(
        failure(env.store.renew(&claimed.lease).await),
        StoreError::LeaseLost { .. }
    ));
}
