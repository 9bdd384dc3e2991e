//! Runs as wholes: creation, the end of a run, listing, notices, and many
//! runs committing at once.

use std::time::Duration;

use workflow_model::RunId;

use crate::batch::Batch;
use crate::conformance::{Env, LEASE, start_time};
use crate::error::StoreError;
use crate::notice::{Change, Notice};
use crate::run::{RunFilter, RunStatus, StatusKind, WorkflowKey};

use super::{created, failure, set_status};

/// A created run loads as `create` returned it, leased at epoch 1 with
/// empty logs; an unknown id loads as nothing.
pub async fn create_and_load(env: Env) {
    let run = env.new_run("w", "f");
    let claimed = env
        .store
        .create(run.clone(), &env.owner("a"))
        .await
        .expect("create");
    assert_eq!(claimed.lease.run, run.id);
    assert_eq!(claimed.lease.epoch, 1);
    assert_eq!(claimed.lease.expires_at, env.later(LEASE));
    let meta = &claimed.run.meta;
    assert_eq!(
        (meta.id, &meta.workflow, &meta.status, meta.epoch),
        (run.id, &run.workflow, &RunStatus::Running, 1)
    );
    assert_eq!(
        (meta.created_at, meta.updated_at),
        (start_time(), start_time())
    );
    assert_eq!(claimed.run.start, run.start);
    assert!(
        claimed.run.snapshot.is_none()
            && claimed.run.journal.is_empty()
            && claimed.run.inputs.is_empty()
    );
    assert_eq!((claimed.run.journal_next, claimed.run.stream_next), (1, 1));
    let loaded = env
        .store
        .load(run.id)
        .await
        .expect("load")
        .expect("the run");
    assert_eq!(loaded, claimed.run);
    assert!(
        env.store
            .load(RunId::next())
            .await
            .expect("load unknown")
            .is_none()
    );
}

/// Creating a run whose id exists fails and leaves the first alone.
pub async fn create_twice(env: Env) {
    let run = env.new_run("w", "f");
    env.store
        .create(run.clone(), &env.owner("a"))
        .await
        .expect("create");
    match failure(env.store.create(run.clone(), &env.owner("b")).await) {
        StoreError::AlreadyExists { run: id, .. } => assert_eq!(id, run.id),
        other => panic!("expected AlreadyExists, got {other}"),
    }
    let loaded = env.store.load(run.id).await.expect("load").expect("run");
    assert_eq!(loaded.meta.epoch, 1);
}

/// A finished run keeps its outcome, takes no commits or claims, and is
/// never ready.
pub async fn finished_blocks_writes(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let outcome = RunStatus::Finished {
        outcome: b"42".to_vec(),
    };
    set_status(&env, &claimed, outcome.clone()).await;
    assert_eq!(
        env.store
            .load(id)
            .await
            .expect("load")
            .expect("run")
            .meta
            .status,
        outcome
    );
    assert!(matches!(
        failure(env.store.commit(&claimed.lease, Batch::new(1)).await),
        StoreError::Finished { run, .. } if run == id
    ));
    assert!(matches!(
        failure(env.store.claim(id, &env.owner("b")).await),
        StoreError::Finished { .. }
    ));
    env.clock.advance(Duration::from_secs(3_600));
    let key = [WorkflowKey::new("w", "f")];
    assert!(
        env.store
            .claim_ready(&env.owner("b"), &key, 10)
            .await
            .expect("claim ready")
            .is_empty()
    );
}

/// `list` filters by status and workflow, orders by id, and pages.
pub async fn list_filters_and_pages(env: Env) {
    let a = env.owner("a");
    let mut ids = Vec::new();
    for (index, name) in ["w", "v", "w", "v", "w"].into_iter().enumerate() {
        let claimed = env
            .store
            .create(env.new_run(name, "f"), &a)
            .await
            .expect("create");
        if index % 2 == 0 {
            set_status(&env, &claimed, RunStatus::Parked).await;
        }
        ids.push(claimed.lease.run);
    }
    let listed = |filter: RunFilter| {
        let store = env.store.clone();
        async move {
            let metas = store.list(&filter).await.expect("list");
            metas.into_iter().map(|meta| meta.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(RunFilter::new()).await, ids);
    assert_eq!(
        listed(RunFilter::new().workflow("v")).await,
        [ids[1], ids[3]]
    );
    assert_eq!(
        listed(RunFilter::new().status(StatusKind::Parked)).await,
        [ids[0], ids[2], ids[4]]
    );
    assert_eq!(
        listed(RunFilter::new().status(StatusKind::Running).workflow("w")).await,
        Vec::<RunId>::new()
    );
    assert_eq!(listed(RunFilter::new().limit(2)).await, ids[..2]);
    assert_eq!(
        listed(RunFilter::new().after(ids[1]).limit(2)).await,
        ids[2..4]
    );
    assert_eq!(
        listed(RunFilter::new().after(ids[4])).await,
        Vec::<RunId>::new()
    );
}

/// Notices come for a run's creation, stream, input and status changes.
pub async fn notices_follow_changes(env: Env) {
    let mut notices = env.store.notices();
    let claimed = created(&env, "a").await;
    let run = claimed.lease.run;
    let notice = |what| Notice { run, what };
    assert_eq!(
        notices.recv().await.expect("created"),
        notice(Change::Created)
    );
    let batch = Batch::new(1)
        .journal(b"j".to_vec())
        .stream(1, b"s".to_vec());
    env.store
        .commit(&claimed.lease, batch)
        .await
        .expect("stream");
    assert_eq!(
        notices.recv().await.expect("stream"),
        notice(Change::Stream)
    );
    let park = Batch::new(2).status(RunStatus::Parked);
    env.store.commit(&claimed.lease, park).await.expect("park");
    assert_eq!(
        notices.recv().await.expect("status"),
        notice(Change::Status)
    );
    env.store
        .send_input(run, b"i".to_vec())
        .await
        .expect("input");
    assert_eq!(notices.recv().await.expect("input"), notice(Change::Input));
}

/// Many runs committing at once all land, each with its records in order.
pub async fn concurrent_commits_land(env: Env) {
    const RUNS: usize = 64;
    const COMMITS: u64 = 20;
    let mut tasks = Vec::new();
    for _ in 0..RUNS {
        let claimed = created(&env, "a").await;
        let store = env.store.clone();
        tasks.push(tokio::spawn(async move {
            for seq in 1..=COMMITS {
                let batch = Batch::new(seq)
                    .journal(seq.to_be_bytes().to_vec())
                    .stream(seq, seq.to_le_bytes().to_vec());
                let committed = store.commit(&claimed.lease, batch).await.expect("commit");
                assert_eq!(
                    (committed.journal_next, committed.stream_next),
                    (seq + 1, seq + 1)
                );
            }
            claimed.lease.run
        }));
    }
    for task in tasks {
        let run = task.await.expect("the committing task");
        let loaded = env.store.load(run).await.expect("load").expect("run");
        assert_eq!(
            (loaded.journal_next, loaded.stream_next),
            (COMMITS + 1, COMMITS + 1)
        );
        let seqs: Vec<u64> = loaded
            .journal
            .iter()
            .map(|record| u64::from_be_bytes(record.bytes[..].try_into().expect("8 bytes")))
            .collect();
        assert_eq!(seqs, (1..=COMMITS).collect::<Vec<_>>());
        assert_eq!(
            env.store
                .read_stream(run, 0, 100)
                .await
                .expect("stream")
                .len(),
            COMMITS as usize
        );
    }
}
