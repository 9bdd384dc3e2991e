//! The conformance suite on [`PostgresStore`], each case in a schema of its
//! own (created fresh, dropped after); then what only this backend has:
//! stores in several processes sharing one database, and its migrations.
//!
//! The server is the one at `DATABASE_URL` (`.ci/postgres` starts one and
//! prints it). Without one, every test says so on stderr and passes; under
//! `CI` it fails instead.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_postgres::NoTls;
use workflow_model::RunId;
use workflow_store::conformance::Fixture;
use workflow_store::{
    Batch, Change, ManualClock, NewRun, Notice, Owner, PostgresOptions, PostgresStore, Store,
    StoreError, WorkflowKey,
};

/// Where the server is: `DATABASE_URL`, or a local default.
fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://workflows:workflows@127.0.0.1:5432/workflows".to_owned())
}

/// `error` and its causes, as one line.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Whether the server answers: asked once per process. Without a server
/// the tests pass, having said so on stderr (written to directly, since
/// libtest holds back what `eprintln!` prints), unless `CI` is set.
async fn reachable() -> bool {
    static ANSWER: OnceLock<Result<(), String>> = OnceLock::new();
    let answer = match ANSWER.get() {
        Some(answer) => answer.clone(),
        None => {
            let probe = async {
                let mut config: tokio_postgres::Config =
                    url().parse().map_err(|error| causes(&error))?;
                config.connect_timeout(Duration::from_secs(3));
                let (client, connection) = config
                    .connect(NoTls)
                    .await
                    .map_err(|error| causes(&error))?;
                tokio::spawn(connection);
                client
                    .simple_query("select 1")
                    .await
                    .map(drop)
                    .map_err(|error| causes(&error))
            };
            let answer = probe.await;
            ANSWER.get_or_init(|| answer).clone()
        }
    };
    match answer {
        Ok(()) => true,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!(
                "no PostgreSQL at {}: {why} (CI needs one: run .ci/postgres)",
                url()
            )
        }
        Err(why) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: no PostgreSQL at {}: {why}",
                url()
            );
            false
        }
    }
}

/// A fresh schema's name.
fn fresh_schema() -> String {
    format!("test_{}", RunId::next().as_u128() & u128::from(u64::MAX))
}

/// Drops its schema when dropped: what a test made, it leaves behind
/// nowhere, even when it fails.
struct DropSchema(String);

impl Drop for DropSchema {
    fn drop(&mut self) {
        let (schema, url) = (self.0.clone(), url());
        // Off the test's runtime, which may be shutting down.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, NoTls).await?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                    .await
            })
        });
        if let Ok(Err(error)) = dropped.join() {
            let _ = writeln!(
                std::io::stderr().lock(),
                "could not drop schema {}: {error}",
                self.0
            );
        }
    }
}

/// A store in a schema of its own on `clock`, and the guard that drops the
/// schema; `None` without a server.
async fn store_in_fresh_schema(clock: ManualClock) -> Option<(PostgresStore, DropSchema)> {
    if !reachable().await {
        return None;
    }
    let schema = fresh_schema();
    let guard = DropSchema(schema.clone());
    let options = PostgresOptions::new().clock(clock).schema(&schema);
    let store = PostgresStore::connect_with(&url(), options)
        .await
        .expect("connect");
    Some((store, guard))
}

workflow_store::conformance_tests!(|clock| async move {
    match store_in_fresh_schema(clock).await {
        Some((store, guard)) => Fixture::keeping(store, guard),
        None => Fixture::skipped(),
    }
});

/// A new run of workflow "w" at fingerprint "f".
fn new_run() -> NewRun {
    NewRun {
        id: RunId::next(),
        workflow: WorkflowKey::new("w", "f"),
        start: b"start".to_vec(),
    }
}

/// The next notice on `notices` within 5 s.
async fn next(notices: &mut tokio::sync::broadcast::Receiver<Notice>) -> Notice {
    tokio::time::timeout(Duration::from_secs(5), notices.recv())
        .await
        .expect("a notice within 5 s")
        .expect("a notice")
}

/// Two stores on one database, as two processes would have (each its own
/// connections): each sees what the other commits, hears of it through
/// its notices, and a worker of one whose lease the other took over
/// cannot commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_share_one_database() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let Some((first, _guard)) = store_in_fresh_schema(clock.clone()).await else {
        return;
    };
    let schema = _guard.0.clone();
    let second = PostgresStore::connect_with(
        &url(),
        PostgresOptions::new().clock(clock.clone()).schema(&schema),
    )
    .await
    .expect("the second store");
    let (mut first_hears, mut second_hears) = (first.notices(), second.notices());

    let a = Owner::new("a", Duration::from_secs(30));
    let run = new_run();
    let claimed = first.create(run.clone(), &a).await.expect("create");
    let created = Notice {
        run: run.id,
        what: Change::Created,
    };
    assert_eq!(next(&mut first_hears).await, created, "its own, at once");
    assert_eq!(
        next(&mut second_hears).await,
        created,
        "the other's, by NOTIFY"
    );
    let batch = Batch::new(1)
        .journal(b"from a".to_vec())
        .stream(1, b"event".to_vec());
    first.commit(&claimed.lease, batch).await.expect("commit");
    assert_eq!(
        next(&mut second_hears).await,
        Notice {
            run: run.id,
            what: Change::Stream
        }
    );
    let seen = second.load(run.id).await.expect("load").expect("the run");
    assert_eq!(seen.journal[0].bytes, b"from a");
    assert_eq!(
        second.read_stream(run.id, 0, 10).await.expect("read").len(),
        1
    );

    // B, in the second process, takes the run over once A's lease expired.
    clock.advance(Duration::from_secs(31));
    let b = Owner::new("b", Duration::from_secs(30));
    let taken = second.claim(run.id, &b).await.expect("claim after expiry");
    assert_eq!(taken.lease.epoch, 2);
    match first
        .commit(&claimed.lease, Batch::new(2).journal(b"late".to_vec()))
        .await
    {
        Err(StoreError::LeaseLost {
            epoch: 1, owner, ..
        }) => assert_eq!(owner, "a"),
        other => panic!("expected LeaseLost, got {other:?}"),
    }
    second
        .commit(&taken.lease, Batch::new(2).journal(b"from b".to_vec()))
        .await
        .expect("the new owner commits");
    second
        .send_input(run.id, b"hi".to_vec())
        .await
        .expect("input");
    let mut heard = Vec::new();
    while heard.len() < 2 {
        let notice = next(&mut first_hears).await;
        if notice.run == run.id && notice.what != Change::Stream {
            heard.push(notice.what);
        }
    }
    assert_eq!(
        heard,
        [Change::Status, Change::Input],
        "the claim, then the input"
    );
    let loaded = first.load(run.id).await.expect("load").expect("the run");
    let journal: Vec<&[u8]> = loaded
        .journal
        .iter()
        .map(|record| &record.bytes[..])
        .collect();
    assert_eq!(journal, [&b"from a"[..], b"from b"]);
    assert_eq!(loaded.inputs.len(), 1);
}

/// Commits racing on one run from two stores: exactly one of each pair
/// lands, the other conflicts, and nothing is written twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_commits_land_once() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let Some((first, guard)) = store_in_fresh_schema(clock.clone()).await else {
        return;
    };
    let second =
        PostgresStore::connect_with(&url(), PostgresOptions::new().clock(clock).schema(&guard.0))
            .await
            .expect("the second store");
    let owner = Owner::new("a", Duration::from_secs(3_600));
    let claimed = first.create(new_run(), &owner).await.expect("create");
    for seq in 1..=20 {
        let batch = || Batch::new(seq).journal(seq.to_be_bytes().to_vec());
        let (one, other) = tokio::join!(
            first.commit(&claimed.lease, batch()),
            second.commit(&claimed.lease, batch())
        );
        let landed = [&one, &other]
            .iter()
            .filter(|result| result.is_ok())
            .count();
        assert_eq!(landed, 1, "{one:?} {other:?}");
        assert!(
            [one, other]
                .into_iter()
                .any(|result| matches!(result, Err(StoreError::Conflict { .. })))
        );
    }
    let loaded = second
        .load(claimed.lease.run)
        .await
        .expect("load")
        .expect("run");
    assert_eq!(loaded.journal.len(), 20);
    assert_eq!(loaded.journal_next, 21);
}

/// Processes connecting at once to a new schema migrate it once between
/// them; a schema newer than the crate's is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_race_and_refuse_newer() {
    if !reachable().await {
        return;
    }
    let schema = fresh_schema();
    let guard = DropSchema(schema.clone());
    let at = url();
    let connect = || PostgresStore::connect_in_schema(&at, &schema);
    let stores = futures_join(connect(), connect(), connect()).await;
    for store in stores {
        store.expect("every process connects");
    }
    let (client, connection) = tokio_postgres::connect(&url(), NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let versions = client
        .query(
            &format!("SELECT version FROM \"{}\".schema_version", guard.0),
            &[],
        )
        .await
        .expect("the versions");
    assert_eq!(versions.len(), 1, "migrated once");
    client
        .batch_execute(&format!(
            "INSERT INTO \"{}\".schema_version (version) VALUES (99)",
            guard.0
        ))
        .await
        .expect("a newer schema");
    match PostgresStore::connect_in_schema(&url(), &schema).await {
        Err(error @ StoreError::Backend { .. }) => {
            assert!(error.to_string().contains("newer"), "{error}")
        }
        Err(other) => panic!("expected a Backend error, got {other}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
    assert!(matches!(
        PostgresStore::connect_in_schema(&url(), "Not-A-Name").await,
        Err(StoreError::Backend { .. })
    ));
}

/// Three futures at once.
async fn futures_join<T>(
    a: impl Future<Output = T>,
    b: impl Future<Output = T>,
    c: impl Future<Output = T>,
) -> [T; 3] {
    let (a, b, c) = tokio::join!(a, b, c);
    [a, b, c]
}

/// A server that cannot be reached is a `Backend` error naming the store
/// and the cause.
#[tokio::test]
async fn unreachable_server_is_a_backend_error() {
    let started = SystemTime::now();
    match PostgresStore::connect("postgres://nobody:nothing@127.0.0.1:1/none?connect_timeout=2")
        .await
    {
        Err(error @ StoreError::Backend { .. }) => {
            let text = error.to_string();
            assert!(text.contains("postgres:127.0.0.1:1/none"), "{text}");
            assert!(text.contains("connect"), "{text}");
        }
        Err(other) => panic!("expected a Backend error, got {other}"),
        Ok(_) => panic!("nothing listens on port 1"),
    }
    assert!(started.elapsed().unwrap_or_default() < Duration::from_secs(10));
}
