//! The journal, its snapshots and the stream.

use crate::batch::Batch;
use crate::conformance::Env;
use crate::error::{Log, StoreError};
use crate::run::Record;

use super::{created, failure};

fn record(seq: u64, bytes: &str) -> Record {
    Record {
        seq,
        bytes: bytes.as_bytes().to_vec(),
    }
}

/// Journal records land in order under increasing sequence numbers, and a
/// batch that expects a stale next number conflicts and changes nothing.
pub async fn journal_appends_in_order(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let first = Batch::new(1)
        .journal(b"one".to_vec())
        .journal(b"two".to_vec());
    let committed = env
        .store
        .commit(&claimed.lease, first)
        .await
        .expect("first batch");
    assert_eq!(committed.journal_next, 3);
    let second = Batch::new(3).journal(b"three".to_vec());
    assert_eq!(
        env.store
            .commit(&claimed.lease, second)
            .await
            .expect("second batch")
            .journal_next,
        4
    );
    let before = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(
        before.journal,
        vec![record(1, "one"), record(2, "two"), record(3, "three")]
    );
    assert_eq!(before.journal_next, 4);

    let stale = Batch::new(3)
        .journal(b"again".to_vec())
        .stream(1, b"event".to_vec());
    match failure(env.store.commit(&claimed.lease, stale).await) {
        StoreError::Conflict {
            run,
            log: Log::Journal,
            expected: 4,
            found: 3,
            ..
        } => assert_eq!(run, id),
        other => panic!("expected a journal conflict, got {other}"),
    }
    let after = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(after, before, "a conflicting batch changes nothing");
}

/// A snapshot covers the journal through the batch's last record: load
/// returns it and only the records after it.
pub async fn snapshot_compacts(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let three = Batch::new(1)
        .journal(b"1".to_vec())
        .journal(b"2".to_vec())
        .journal(b"3".to_vec());
    env.store
        .commit(&claimed.lease, three)
        .await
        .expect("three records");
    let snap = Batch::new(4)
        .journal(b"4".to_vec())
        .snapshot(b"state@4".to_vec());
    env.store
        .commit(&claimed.lease, snap)
        .await
        .expect("snapshot");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    let snapshot = loaded.snapshot.expect("a snapshot");
    assert_eq!(
        (snapshot.through, snapshot.bytes.as_slice()),
        (4, &b"state@4"[..])
    );
    assert!(loaded.journal.is_empty(), "compacted: {:?}", loaded.journal);

    let more = Batch::new(5).journal(b"5".to_vec()).journal(b"6".to_vec());
    env.store
        .commit(&claimed.lease, more)
        .await
        .expect("two more");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(loaded.snapshot.expect("snapshot").through, 4);
    assert_eq!(loaded.journal, vec![record(5, "5"), record(6, "6")]);

    let bare = Batch::new(7).snapshot(b"state@6".to_vec());
    env.store
        .commit(&claimed.lease, bare)
        .await
        .expect("a snapshot alone");
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(
        loaded.snapshot.expect("snapshot").through,
        6,
        "a snapshot alone covers the journal so far"
    );
    assert!(loaded.journal.is_empty());
    assert_eq!(loaded.journal_next, 7);
}

/// Stream records read back after a sequence number and up to a limit;
/// an append that does not continue the stream conflicts, all or nothing.
pub async fn stream_appends_and_reads(env: Env) {
    let claimed = created(&env, "a").await;
    let id = claimed.lease.run;
    let names = ["e1", "e2", "e3", "e4", "e5"];
    let mut journal_next = 1;
    for pair in names.chunks(2) {
        let mut batch = Batch::new(journal_next).journal(b"step".to_vec());
        for name in pair {
            let seq = name[1..].parse().expect("a number");
            batch = batch.stream(seq, name.as_bytes().to_vec());
        }
        journal_next = env
            .store
            .commit(&claimed.lease, batch)
            .await
            .expect("append")
            .journal_next;
    }
    let all: Vec<Record> = (1..)
        .zip(names)
        .map(|(seq, name)| record(seq, name))
        .collect();
    assert_eq!(
        env.store.read_stream(id, 0, 100).await.expect("read all"),
        all
    );
    assert_eq!(
        env.store.read_stream(id, 2, 2).await.expect("read a page"),
        all[2..4].to_vec()
    );
    assert!(
        env.store
            .read_stream(id, 5, 10)
            .await
            .expect("read past the end")
            .is_empty()
    );

    let gap = Batch::new(journal_next)
        .journal(b"x".to_vec())
        .stream(7, b"e7".to_vec());
    assert!(matches!(
        failure(env.store.commit(&claimed.lease, gap).await),
        StoreError::Conflict {
            log: Log::Stream,
            expected: 6,
            found: 7,
            ..
        }
    ));
    let hole = Batch::new(journal_next)
        .stream(6, b"e6".to_vec())
        .stream(8, b"e8".to_vec());
    assert!(matches!(
        failure(env.store.commit(&claimed.lease, hole).await),
        StoreError::Conflict {
            log: Log::Stream,
            expected: 7,
            found: 8,
            ..
        }
    ));
    let loaded = env.store.load(id).await.expect("load").expect("run");
    assert_eq!(
        (loaded.journal_next, loaded.stream_next),
        (journal_next, 6),
        "failed batches change nothing"
    );

    let unknown = env.new_run("w", "f").id;
    assert!(matches!(
        failure(env.store.read_stream(unknown, 0, 1).await),
        StoreError::NotFound { .. }
    ));
}
