//! A damaged SQLite file gives `Corrupt` naming the file (or, for a WAL
//! cut short, exactly the transactions that committed whole): never half a
//! batch and never wrong data. Deterministic: the "random" choices come
//! from a fixed seed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use workflow_model::RunId;
use workflow_store::{
    Batch, Claimed, Loaded, NewRun, Owner, RunFilter, SqliteOptions, SqliteStore, Store,
    StoreError, WorkflowKey,
};

/// A small deterministic generator (xorshift64*), so that a failure
/// repeats.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn wal(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

async fn created(store: &SqliteStore) -> Claimed {
    let run = NewRun {
        id: RunId::next(),
        workflow: WorkflowKey::new("w", "f"),
        start: b"start".to_vec(),
    };
    store
        .create(run, &Owner::new("a", Duration::from_secs(3_600)))
        .await
        .expect("create")
}

/// Batch `n` of a run: two journal records, a snapshot every third batch,
/// and two stream records, so that a torn batch would show.
fn batch(n: u64) -> Batch {
    let mut batch = Batch::new(2 * n - 1)
        .journal(vec![n as u8; 300])
        .journal(vec![!(n as u8); 300])
        .stream(2 * n - 1, vec![n as u8; 150])
        .stream(2 * n, vec![n as u8; 150]);
    if n.is_multiple_of(3) {
        batch = batch.snapshot(vec![0xaa; 500]);
    }
    batch
}

fn is_corrupt_naming(error: &StoreError, file: &Path) -> bool {
    matches!(error, StoreError::Corrupt { store, .. } if store.contains(&file.display().to_string()))
}

/// (a) Cutting the WAL anywhere inside the frames of transaction k leaves
/// exactly the transactions before it.
#[tokio::test]
async fn wal_cut_keeps_whole_transactions() {
    const BATCHES: u64 = 8;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("runs.db");
    // No checkpoints: every transaction stays in the WAL, one after another,
    // so the WAL's length after each commit marks where its frames end.
    let store =
        SqliteStore::open_with(&path, SqliteOptions::new().wal_autocheckpoint(0)).expect("open");
    let claimed = created(&store).await;
    let run = claimed.lease.run;
    let mut ends = vec![fs::metadata(wal(&path)).expect("the WAL").len()];
    let mut states = vec![store.load(run).await.expect("load").expect("run")];
    for n in 1..=BATCHES {
        store
            .commit(&claimed.lease, batch(n))
            .await
            .expect("commit");
        ends.push(fs::metadata(wal(&path)).expect("the WAL").len());
        states.push(store.load(run).await.expect("load").expect("run"));
    }
    // Copied while the store is open: closing its last connection would
    // checkpoint the WAL into the file and delete it.
    let saved = dir.path().join("saved.db");
    fs::copy(&path, &saved).expect("copy the file");
    let saved_wal = fs::read(wal(&path)).expect("read the WAL");
    drop(store);

    let mut seeded = Seeded(0x5eed_0001);
    for k in 1..=BATCHES as usize {
        let (start, end) = (ends[k - 1], ends[k]);
        assert!(end > start, "transaction {k} wrote frames");
        let cut = start + seeded.below(end - start);
        let trial = dir.path().join(format!("cut-{k}.db"));
        fs::copy(&saved, &trial).expect("copy the file");
        fs::write(wal(&trial), &saved_wal[..cut as usize]).expect("write the cut WAL");
        let store = SqliteStore::open(&trial).expect("a cut WAL opens");
        let loaded = store.load(run).await.expect("load").expect("the run");
        assert_eq!(
            loaded,
            states[k - 1],
            "a WAL cut at {cut} in transaction {k} keeps transactions 1..{k} whole"
        );
        let stream = store
            .read_stream(run, 0, 100)
            .await
            .expect("read the stream");
        assert_eq!(stream.len() as u64, 2 * (k as u64 - 1));
    }
}

/// A store of a few runs, closed (so all of it is in the main file), and
/// what each run holds.
async fn closed_store(path: &Path) -> Vec<(Loaded, Vec<workflow_store::Record>)> {
    let store = SqliteStore::open(path).expect("open");
    let mut runs = Vec::new();
    for _ in 0..6 {
        let claimed = created(&store).await;
        for n in 1..=5 {
            store
                .commit(&claimed.lease, batch(n))
                .await
                .expect("commit");
        }
        store
            .send_input(claimed.lease.run, vec![7; 200])
            .await
            .expect("input");
        let id = claimed.lease.run;
        runs.push((
            store.load(id).await.expect("load").expect("run"),
            store.read_stream(id, 0, 100).await.expect("stream"),
        ));
    }
    runs
}

/// Whether the store at `path` either refuses to open or to read with
/// `Corrupt` naming the file, or returns exactly `expected`: never other
/// data. True if it found the damage.
async fn corrupt_or_intact(
    path: &Path,
    expected: &[(Loaded, Vec<workflow_store::Record>)],
) -> bool {
    let check = |error: StoreError| {
        assert!(
            is_corrupt_naming(&error, path),
            "damage must read as Corrupt naming the file, got {error}"
        );
        true
    };
    let store = match SqliteStore::open(path) {
        Ok(store) => store,
        Err(error) => return check(error),
    };
    for (loaded, stream) in expected {
        let id = loaded.meta.id;
        match store.load(id).await {
            Ok(found) => assert_eq!(found.as_ref(), Some(loaded), "run {id} silently changed"),
            Err(error) => return check(error),
        }
        match store.read_stream(id, 0, 100).await {
            Ok(found) => assert_eq!(&found, stream, "the stream of run {id} silently changed"),
            Err(error) => return check(error),
        }
    }
    match store.list(&RunFilter::new()).await {
        Ok(metas) => assert_eq!(
            metas,
            expected
                .iter()
                .map(|(loaded, _)| loaded.meta.clone())
                .collect::<Vec<_>>()
        ),
        Err(error) => return check(error),
    }
    false
}

/// (b) A main file cut short or overwritten gives `Corrupt` naming it, or
/// the right data where the damage missed what is read.
#[tokio::test]
async fn damaged_file_reads_as_corrupt() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("runs.db");
    let expected = closed_store(&path).await;
    let good = fs::read(&path).expect("read the file");
    assert!(
        !wal(&path).exists(),
        "closing checkpointed the WAL into the file"
    );

    let mut seeded = Seeded(0x5eed_0002);
    let mut found = 0;
    let trials: u32 = 60;
    for trial in 0..trials {
        let mut bytes = good.clone();
        if trial.is_multiple_of(4) {
            let keep = 512 + seeded.below(bytes.len() as u64 - 512);
            bytes.truncate(keep as usize);
        } else {
            let at = 100 + seeded.below(bytes.len() as u64 - 108) as usize;
            for byte in &mut bytes[at..at + 8] {
                *byte = seeded.next() as u8;
            }
        }
        let damaged = dir.path().join(format!("damaged-{trial}.db"));
        fs::write(&damaged, &bytes).expect("write the damaged file");
        if corrupt_or_intact(&damaged, &expected).await {
            found += 1;
        }
    }
    assert!(
        found >= trials / 4,
        "damage where data lies is found ({found} of {trials})"
    );
}

/// (c) A byte flipped inside a stored record gives `Corrupt` naming the
/// file, the run and the record.
#[tokio::test]
async fn flipped_record_names_run_and_seq() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("runs.db");
    let expected = closed_store(&path).await;
    let (journal_run, stream_run) = (expected[0].0.meta.id, expected[1].0.meta.id);
    let raw = rusqlite::Connection::open(&path).expect("a raw connection");
    for (table, run, seq) in [("journal", journal_run, 10_i64), ("stream", stream_run, 3)] {
        let key = rusqlite::params![run.to_string(), seq];
        let select = format!("SELECT body FROM {table} WHERE run = ?1 AND seq = ?2");
        let mut body: Vec<u8> = raw
            .query_row(&select, key, |row| row.get(0))
            .expect("the record");
        let middle = body.len() / 2;
        body[middle] ^= 0x01;
        let update = format!("UPDATE {table} SET body = ?3 WHERE run = ?1 AND seq = ?2");
        let changed = raw
            .execute(&update, rusqlite::params![run.to_string(), seq, body])
            .expect("write the flipped byte");
        assert_eq!(changed, 1);
    }
    drop(raw);

    let store = SqliteStore::open(&path).expect("the file's structure is sound");
    let error = store
        .load(journal_run)
        .await
        .expect_err("a damaged journal record");
    assert!(is_corrupt_naming(&error, &path), "{error}");
    let message = error.to_string();
    assert!(
        message.contains(&journal_run.to_string()) && message.contains("journal record 10"),
        "{message}"
    );

    let error = store
        .read_stream(stream_run, 0, 100)
        .await
        .expect_err("a damaged stream record");
    let message = error.to_string();
    assert!(
        message.contains(&stream_run.to_string()) && message.contains("stream record 3"),
        "{message}"
    );
    assert_eq!(
        store
            .read_stream(stream_run, 3, 100)
            .await
            .expect("the records after it"),
        expected[1].1[3..]
    );
}
