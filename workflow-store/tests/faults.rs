//! `Faulty` over each backend: a commit that fails before it is applied
//! leaves the store unchanged; one that fails after it is applied is
//! visible on load, and a retry with the same expected journal record
//! conflicts, which tells the caller to reconcile by loading; failed
//! reads name the run.

use std::time::Duration;

use workflow_model::RunId;
use workflow_store::faults::{Fault, Faulty};
use workflow_store::{
    Batch, Claimed, Log, MemoryStore, NewRun, Owner, SqliteStore, Store, StoreError, WorkflowKey,
};

async fn created(store: &impl Store) -> Claimed {
    let run = NewRun {
        id: RunId::next(),
        workflow: WorkflowKey::new("w", "f"),
        start: b"start".to_vec(),
    };
    store
        .create(run, &Owner::new("a", Duration::from_secs(30)))
        .await
        .expect("create")
}

fn step(seq: u64) -> Batch {
    Batch::new(seq)
        .journal(format!("step {seq}").into_bytes())
        .stream(seq, b"event".to_vec())
}

/// The error is an injected backend failure naming the store, the run and the journal record.
fn assert_injected(error: &StoreError, store: &str, run: RunId, seq: u64) {
    assert!(matches!(error, StoreError::Backend { .. }), "{error:?}");
    let message = error.to_string();
    for part in [
        store.to_owned(),
        run.to_string(),
        format!("journal record {seq}"),
    ] {
        assert!(message.contains(&part), "{message:?} names {part:?}");
    }
}

async fn fails_before(store: Faulty<impl Store>) {
    let claimed = created(&store).await;
    let run = claimed.lease.run;
    store
        .commit(&claimed.lease, step(1))
        .await
        .expect("first commit");
    store.fail(Fault::CommitBefore(2));
    let before = store.load(run).await.expect("load").expect("run");
    let error = store
        .commit(&claimed.lease, step(2))
        .await
        .expect_err("the planned fault");
    assert_injected(&error, &store.describe(), run, 2);
    assert_eq!(
        store.load(run).await.expect("load").expect("run"),
        before,
        "nothing was written"
    );
    let retried = store
        .commit(&claimed.lease, step(2))
        .await
        .expect("the retry lands");
    assert_eq!((retried.journal_next, retried.stream_next), (3, 3));
}

async fn fails_after(store: Faulty<impl Store>) {
    let claimed = created(&store).await;
    let run = claimed.lease.run;
    store.fail(Fault::CommitAfter(1));
    let error = store
        .commit(&claimed.lease, step(1))
        .await
        .expect_err("the planned fault");
    assert_injected(&error, &store.describe(), run, 1);
    let landed = store.load(run).await.expect("load").expect("run");
    assert_eq!(
        (landed.journal_next, landed.stream_next),
        (2, 2),
        "the commit landed"
    );

    match store
        .commit(&claimed.lease, step(1))
        .await
        .expect_err("the retry conflicts")
    {
        StoreError::Conflict {
            log: Log::Journal,
            expected: 2,
            found: 1,
            ..
        } => {}
        other => panic!("expected a journal conflict, got {other}"),
    }
    let reconciled = store.load(run).await.expect("load").expect("run");
    store
        .commit(&claimed.lease, step(reconciled.journal_next))
        .await
        .expect("go on from the load");
    assert_eq!(
        store.read_stream(run, 0, 10).await.expect("stream").len(),
        2,
        "each event once"
    );
}

async fn fails_reads(store: Faulty<impl Store>) {
    let claimed = created(&store).await;
    let run = claimed.lease.run;
    store.fail(Fault::Load(1));
    store.fail(Fault::ReadStream(1));
    let error = store.load(run).await.expect_err("the planned load fault");
    assert!(error.to_string().contains(&run.to_string()), "{error}");
    let error = store
        .read_stream(run, 0, 1)
        .await
        .expect_err("the planned read fault");
    assert!(error.to_string().contains(&run.to_string()), "{error}");
    assert!(store.load(run).await.expect("the next load").is_some());
    assert!(
        store
            .read_stream(run, 0, 1)
            .await
            .expect("the next read")
            .is_empty()
    );
}

fn sqlite() -> (Faulty<SqliteStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path().join("runs.db")).expect("open");
    (Faulty::new(store), dir)
}

#[tokio::test]
async fn memory_commit_fails_before() {
    fails_before(Faulty::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn memory_commit_fails_after() {
    fails_after(Faulty::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn memory_reads_fail() {
    fails_reads(Faulty::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_commit_fails_before() {
    let (store, _dir) = sqlite();
    fails_before(store).await;
}

#[tokio::test]
async fn sqlite_commit_fails_after() {
    let (store, _dir) = sqlite();
    fails_after(store).await;
}

#[tokio::test]
async fn sqlite_reads_fail() {
    let (store, _dir) = sqlite();
    fails_reads(store).await;
}
