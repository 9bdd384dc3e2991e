//! Which runs are ready to claim: expired or released leases, parked runs
//! woken by input or a due timer; and input and timers themselves.

use std::collections::BTreeSet;
use std::time::Duration;

use workflow_model::RunId;

use crate::batch::Batch;
use crate::conformance::{Env, LEASE};
use crate::error::StoreError;
use crate::run::{RunStatus, WorkflowKey};

use super::{created, failure, set_status};

/// The ids of runs claimed.
fn ids(claimed: &[crate::run::Claimed]) -> BTreeSet<RunId> {
    claimed.iter().map(|claimed| claimed.lease.run).collect()
}

/// `claim_ready` takes runs of the asked workflow and fingerprint whose
/// lease expired, and parked runs with input or a due timer; not runs
/// with a live lease, parked runs with nothing to do, or finished runs;
/// and no more than the limit.
pub async fn claim_ready_picks_ready_runs(env: Env) {
    let store = &env.store;
    let a = env.owner("a");
    let mut make = Vec::new();
    for (name, fingerprint) in [("w", "f"), ("w", "g"), ("v", "f")] {
        make.push(
            store
                .create(env.new_run(name, fingerprint), &a)
                .await
                .expect("create"),
        );
    }
    let [expired, other_fingerprint, other_workflow] =
        <[_; 3]>::try_from(make).expect("three runs");
    let live = created(&env, "a").await;
    let idle = created(&env, "a").await;
    let with_input = created(&env, "a").await;
    let timer_due = created(&env, "a").await;
    let timer_later = created(&env, "a").await;
    let finished = created(&env, "a").await;
    for parked in [&idle, &with_input] {
        set_status(&env, parked, RunStatus::Parked).await;
    }
    for (claimed, after) in [(&timer_due, 10), (&timer_later, 1_000)] {
        let batch = Batch::new(1)
            .set_timer("t", env.later(Duration::from_secs(after)))
            .status(RunStatus::Parked);
        store
            .commit(&claimed.lease, batch)
            .await
            .expect("park with a timer");
    }
    set_status(
        &env,
        &finished,
        RunStatus::Finished {
            outcome: b"done".to_vec(),
        },
    )
    .await;
    store
        .send_input(with_input.lease.run, b"hi".to_vec())
        .await
        .expect("input");

    env.clock.advance(LEASE + Duration::from_secs(1));
    store
        .claim(live.lease.run, &a)
        .await
        .expect("renewed by a claim");
    let b = env.owner("b");
    let key = [WorkflowKey::new("w", "f")];
    let got = store.claim_ready(&b, &key, 10).await.expect("claim ready");
    let want: BTreeSet<RunId> = [&expired, &with_input, &timer_due]
        .iter()
        .map(|claimed| claimed.lease.run)
        .collect();
    assert_eq!(
        ids(&got),
        want,
        "expired, parked with input, parked with a due timer"
    );
    assert!(
        got.iter()
            .all(|claimed| claimed.lease.owner == b && claimed.lease.epoch == 2)
    );
    let woken = got
        .iter()
        .find(|claimed| claimed.lease.run == with_input.lease.run)
        .expect("woken by input");
    assert_eq!(woken.run.inputs.len(), 1);
    assert_eq!(woken.run.meta.status, RunStatus::Running);
    assert!(
        store
            .claim_ready(&b, &key, 10)
            .await
            .expect("again")
            .is_empty(),
        "each is claimed once"
    );

    let both = [WorkflowKey::new("w", "g"), WorkflowKey::new("v", "f")];
    let one = store.claim_ready(&b, &both, 1).await.expect("limit one");
    assert_eq!(one.len(), 1);
    let rest = store.claim_ready(&b, &both, 5).await.expect("the rest");
    let others: BTreeSet<RunId> = [other_fingerprint.lease.run, other_workflow.lease.run].into();
    assert_eq!(&ids(&one) | &ids(&rest), others);
}

/// Two owners claiming ready runs at once never get the same run.
pub async fn claim_ready_is_exclusive(env: Env) {
    let mut all = BTreeSet::new();
    for _ in 0..12 {
        all.insert(created(&env, "a").await.lease.run);
    }
    env.clock.advance(LEASE + Duration::from_secs(1));
    let key = vec![WorkflowKey::new("w", "f")];
    let claims: Vec<_> = ["b", "c"]
        .into_iter()
        .map(|owner| {
            let (store, owner, key) = (env.store.clone(), env.owner(owner), key.clone());
            tokio::spawn(async move {
                let mut got = Vec::new();
                for _ in 0..4 {
                    got.extend(
                        store
                            .claim_ready(&owner, &key, 2)
                            .await
                            .expect("claim ready"),
                    );
                }
                got
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for claim in claims {
        for claimed in claim.await.expect("the claiming task") {
            assert!(
                seen.insert(claimed.lease.run),
                "run {} claimed twice",
                claimed.lease.run
            );
        }
    }
    assert_eq!(seen, all, "between them they took every ready run");
}

/// Input wakes a parked run, gets increasing sequence numbers, and once
/// consumed is not returned again; a finished run takes none, an unknown
/// run is not found.
pub async fn input_wakes_and_is_consumed(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    set_status(&env, &claimed, RunStatus::Parked).await;
    let stale = env.store.commit(&claimed.lease, Batch::new(1)).await;
    assert!(
        matches!(failure(stale), StoreError::LeaseLost { .. }),
        "parking released the lease"
    );
    let key = [WorkflowKey::new("w", "f")];
    let b = env.owner("b");
    assert!(
        env.store
            .claim_ready(&b, &key, 1)
            .await
            .expect("nothing yet")
            .is_empty()
    );
    assert_eq!(
        env.store
            .send_input(id, b"one".to_vec())
            .await
            .expect("first input"),
        1
    );
    assert_eq!(
        env.store
            .send_input(id, b"two".to_vec())
            .await
            .expect("second input"),
        2
    );
    let woken = env
        .store
        .claim_ready(&b, &key, 1)
        .await
        .expect("woken")
        .pop()
        .expect("the parked run");
    let inputs: Vec<u64> = woken.run.inputs.iter().map(|input| input.seq).collect();
    assert_eq!(inputs, [1, 2]);

    let too_far = Batch::new(1).consume_through(3);
    assert!(matches!(
        failure(env.store.commit(&woken.lease, too_far).await),
        StoreError::Invalid { .. }
    ));
    env.store
        .commit(&woken.lease, Batch::new(1).consume_through(1))
        .await
        .expect("consume one");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(loaded.inputs.len(), 1);
    assert_eq!(
        (loaded.inputs[0].seq, loaded.inputs[0].bytes.as_slice()),
        (2, &b"two"[..])
    );
    assert_eq!(
        env.store
            .send_input(id, b"three".to_vec())
            .await
            .expect("third"),
        3
    );
    let later: Vec<u64> = env
        .store
        .load(id)
        .await
        .expect("load")
        .expect("run")
        .inputs
        .iter()
        .map(|input| input.seq)
        .collect();
    assert_eq!(later, [2, 3]);

    let finish = Batch::new(1).status(RunStatus::Finished {
        outcome: Vec::new(),
    });
    env.store
        .commit(&woken.lease, finish)
        .await
        .expect("finish");
    assert!(matches!(
        failure(env.store.send_input(id, b"late".to_vec()).await),
        StoreError::Finished { .. }
    ));
    let unknown = env.new_run("w", "f").id;
    assert!(matches!(
        failure(env.store.send_input(unknown, Vec::new()).await),
        StoreError::NotFound { .. }
    ));
}

/// Timers are set and cleared by commits, and a parked run becomes ready
/// when one is due, not before.
pub async fn timers_set_clear_and_wake(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let (soon, later) = (
        env.later(Duration::from_secs(10)),
        env.later(Duration::from_secs(20)),
    );
    let set = Batch::new(1)
        .set_timer("soon", soon)
        .set_timer("later", later);
    env.store
        .commit(&claimed.lease, set)
        .await
        .expect("set timers");
    let timers = env.store.load(id).await.expect("load").expect("run").timers;
    let seen: Vec<_> = timers
        .iter()
        .map(|timer| (timer.id.as_str(), timer.due))
        .collect();
    assert_eq!(seen, [("later", later), ("soon", soon)]);

    let park = Batch::new(1).clear_timer("soon").status(RunStatus::Parked);
    env.store
        .commit(&claimed.lease, park)
        .await
        .expect("clear one and park");
    let timers = env.store.load(id).await.expect("load").expect("run").timers;
    assert_eq!(timers.len(), 1);
    assert_eq!(timers[0].id, "later");

    let key = [WorkflowKey::new("w", "f")];
    let b = env.owner("b");
    env.clock.advance(Duration::from_secs(15));
    assert!(
        env.store
            .claim_ready(&b, &key, 1)
            .await
            .expect("not yet")
            .is_empty(),
        "the cleared timer wakes nothing"
    );
    env.clock.advance(Duration::from_secs(5));
    let woken = env.store.claim_ready(&b, &key, 1).await.expect("due");
    assert_eq!(ids(&woken), [id].into());
}
