//! Crash tests of durable runs: a worker process (`tests/crash/worker.rs`)
//! runs errands on an SQLite store and is killed with SIGKILL at seeded
//! random points, again and again, then started again on the same store,
//! until every errand has ended. Then the store and the worker's log of
//! side effects are checked:
//!
//! - every errand ended once, with the right result;
//! - no step whose end was recorded ran again: each step's last side
//!   effect comes before the first of the step it feeds, which starts only
//!   once that end is in the store;
//! - an effect recorded with `ctx.once` never ran again once its step went
//!   on past it;
//! - the stream read across the restarts, from where the reader left off
//!   each time, has no gap and no repeat, and holds each step's events.
//!
//! `CRASH_KILLS` sets how many kills (200 by default), `CRASH_SEED` the
//! seed (random by default, printed with any failure). The soak:
//! `CRASH_KILLS=10000 cargo test -p typed-workflows-examples --release --test crash`.

#[path = "kill/checks.rs"]
mod checks;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use typed_workflows::RunId;
use typed_workflows::store::{RunFilter, SqliteStore, Store};

use checks::{Reader, Seeded, check_log, result_of, results, seed, setting};

/// The errands the worker runs.
const RUNS: u64 = 60;

/// The most side effects a worker may make before it is killed.
const MOST_BEFORE_KILL: u64 = 12;

/// Files of one test, removed when it ends.
struct Files {
    store: PathBuf,
    log: PathBuf,
}

impl Files {
    fn new() -> Self {
        let base = std::env::temp_dir().join(format!("typed-workflows-crash-{}", RunId::next()));
        Self {
            store: base.with_extension("db"),
            log: base.with_extension("log"),
        }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.store.display()));
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Runs one worker process, generation `generation`; kills it with
/// SIGKILL after `kill_after` side effects if given. Says whether it
/// finished every errand; a failure says how to `replay` the test.
fn run_worker(files: &Files, generation: u64, kill_after: Option<u64>, replay: &str) -> bool {
    let mut worker = Command::new(env!("CARGO_BIN_EXE_crash-worker"))
        .arg(&files.store)
        .arg(&files.log)
        .arg(RUNS.to_string())
        .arg(generation.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the worker starts");
    let lines = BufReader::new(worker.stdout.take().expect("piped")).lines();
    let mut effects = 0;
    for line in lines {
        let line = line.expect("the worker writes lines");
        if line == "all done" {
            assert!(worker.wait().unwrap().success());
            return true;
        }
        effects += 1;
        if kill_after == Some(effects) {
            worker.kill().expect("SIGKILL");
            worker.wait().expect("the killed worker is reaped");
            return false;
        }
    }
    // What went wrong is on its standard error, which the test's is.
    let status = worker.wait().unwrap();
    panic!("the worker of generation {generation} ended with {status} before finishing; {replay}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_leave_every_run_to_end_once_with_no_finished_step_run_again() {
    let kills = setting("CRASH_KILLS").unwrap_or(200);
    let seed = seed("CRASH_SEED");
    let replay = format!("replay with CRASH_SEED={seed} CRASH_KILLS={kills}");
    let mut points = Seeded(seed);
    let files = Files::new();
    let mut reader = Reader::default();
    let mut killed = 0;
    let mut generation = 0;
    loop {
        generation += 1;
        let kill_after = (killed < kills).then(|| 1 + points.below(MOST_BEFORE_KILL));
        let finished = run_worker(&files, generation, kill_after, &replay);
        let store = SqliteStore::open(&files.store).unwrap();
        reader.read_on(&store).await;
        if finished {
            break;
        }
        killed += 1;
    }
    println!("{killed} kills over {generation} workers; {replay}");

    let store = SqliteStore::open(&files.store).unwrap();
    let runs = store.list(&RunFilter::new()).await.unwrap();
    assert_eq!(runs.len() as u64, RUNS, "{replay}");
    let expected: Vec<u64> = (0..RUNS).map(result_of).collect();
    assert_eq!(results(&runs, &replay), expected, "{replay}");
    check_log(&files.log, RUNS, &replay);
    reader.check(&store, &runs, |_| true, &replay).await;
}
