//! The load both commit-rate examples put on a store: `committers` runs,
//! each committing one small journal record and one stream record per
//! batch, as fast as the store takes them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use workflow_model::RunId;
use workflow_store::{Batch, NewRun, Owner, Store, WorkflowKey};

/// Commits through `store` with `committers` at once for `window`: how
/// many, and the time they took.
pub async fn commit_for(
    store: Arc<dyn Store>,
    committers: usize,
    window: Duration,
) -> (u64, Duration) {
    let owner = Owner::new("bench", Duration::from_secs(3_600));
    let mut leases = Vec::new();
    for _ in 0..committers {
        let run = NewRun {
            id: RunId::next(),
            workflow: WorkflowKey::new("bench", "0000000000000000"),
            start: vec![0; 32],
        };
        leases.push(store.create(run, &owner).await.expect("create").lease);
    }
    let began = Instant::now();
    let tasks: Vec<_> = leases
        .into_iter()
        .map(|lease| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut next = 1;
                while began.elapsed() < window {
                    let batch = Batch::new(next)
                        .journal(vec![1; 64])
                        .stream(next, vec![2; 64]);
                    next = store
                        .commit(&lease, batch)
                        .await
                        .expect("commit")
                        .journal_next;
                }
                next - 1
            })
        })
        .collect();
    let mut commits = 0;
    for task in tasks {
        commits += task.await.expect("a committer");
    }
    (commits, began.elapsed())
}
