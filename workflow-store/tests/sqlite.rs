//! The conformance suite on [`SqliteStore`], each case in a file of its
//! own; then what only this backend has: groups of commits, a file that
//! outlives the store, a versioned schema.

use std::sync::Arc;
use std::time::Duration;

use workflow_model::RunId;
use workflow_store::conformance::Fixture;
use workflow_store::{
    Batch, Log, NewRun, Owner, SqliteOptions, SqliteStore, Store, StoreError, WorkflowKey,
};

workflow_store::conformance_tests!(|clock| async move {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open_with(
        dir.path().join("runs.db"),
        SqliteOptions::new().clock(clock),
    )
    .expect("open");
    Fixture::keeping(store, dir)
});

/// Batches that fail their condition, sent among good ones at once (so
/// that the writer takes them into the same groups), get their own errors
/// and change nothing, while every good batch lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_batches_leave_their_group_alone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(SqliteStore::open(dir.path().join("runs.db")).expect("open"));
    let owner = Owner::new("a", Duration::from_secs(3_600));
    let mut leases = Vec::new();
    for _ in 0..64 {
        let run = NewRun {
            id: RunId::next(),
            workflow: WorkflowKey::new("w", "f"),
            start: Vec::new(),
        };
        leases.push(store.create(run, &owner).await.expect("create").lease);
    }
    let tasks: Vec<_> = leases
        .iter()
        .enumerate()
        .map(|(index, lease)| {
            let (store, lease) = (Arc::clone(&store), lease.clone());
            // Every other batch expects a journal record that is not next.
            let expected = if index % 2 == 0 { 1 } else { 9 };
            tokio::spawn(async move {
                let batch = Batch::new(expected)
                    .journal(b"j".to_vec())
                    .stream(1, b"s".to_vec());
                store.commit(&lease, batch).await
            })
        })
        .collect();
    for (index, (task, lease)) in tasks.into_iter().zip(&leases).enumerate() {
        let result = task.await.expect("the committing task");
        let loaded = store.load(lease.run).await.expect("load").expect("run");
        if index % 2 == 0 {
            assert_eq!(result.expect("a good batch lands").journal_next, 2);
            assert_eq!((loaded.journal.len(), loaded.stream_next), (1, 2));
        } else {
            assert!(matches!(
                result,
                Err(StoreError::Conflict {
                    log: Log::Journal,
                    ..
                })
            ));
            assert_eq!(
                (loaded.journal.len(), loaded.stream_next),
                (0, 1),
                "a failed batch changes nothing"
            );
        }
    }
}

/// What a store held is there after it is closed and opened again, lease
/// and all; a file whose schema is newer than the crate's is refused.
#[tokio::test]
async fn reopen_keeps_runs_and_refuses_newer_schema() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("runs.db");
    let owner = Owner::new("a", Duration::from_secs(3_600));
    let (lease, before) = {
        let store = SqliteStore::open(&path).expect("open");
        let run = NewRun {
            id: RunId::next(),
            workflow: WorkflowKey::new("w", "f"),
            start: b"start".to_vec(),
        };
        let claimed = store.create(run, &owner).await.expect("create");
        let batch = Batch::new(1)
            .journal(b"j".to_vec())
            .stream(1, b"s".to_vec())
            .snapshot(b"state".to_vec());
        store.commit(&claimed.lease, batch).await.expect("commit");
        let loaded = store
            .load(claimed.lease.run)
            .await
            .expect("load")
            .expect("run");
        (claimed.lease, loaded)
    };
    let store = SqliteStore::open(&path).expect("open again");
    assert_eq!(
        store.load(lease.run).await.expect("load").expect("run"),
        before
    );
    store
        .commit(&lease, Batch::new(2).journal(b"k".to_vec()))
        .await
        .expect("the lease still holds");
    drop(store);

    let raw = rusqlite::Connection::open(&path).expect("a raw connection");
    raw.execute_batch("PRAGMA user_version = 99")
        .expect("a newer schema");
    drop(raw);
    match SqliteStore::open(&path) {
        Err(error @ StoreError::Backend { .. }) => {
            assert!(error.to_string().contains("newer"), "{error}")
        }
        Err(other) => panic!("expected a Backend error, got {other}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}
