//! The conformance suite on [`SqliteStore`], each case in a file of its own.

use workflow_store::conformance::Fixture;
use workflow_store::{SqliteOptions, SqliteStore};

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
    use std::sync::Arc;
    use std::time::Duration;

    use workflow_model::RunId;
    use workflow_store::{Batch, Log, NewRun, Owner, Store, StoreError, WorkflowKey};

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
