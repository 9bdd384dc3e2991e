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

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use typed_workflows::RunId;
use typed_workflows::store::{RunFilter, SqliteStore, StatusKind, Store};

/// The errands the worker runs.
const RUNS: u64 = 60;

/// The most side effects a worker may make before it is killed.
const MOST_BEFORE_KILL: u64 = 12;

/// A small seeded generator (SplitMix64): the kill points of a seed.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    }
}

fn setting(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} is a number"))
    })
}

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

/// What the log says one errand's steps did, each line's place in the log.
#[derive(Default, Debug)]
struct Errand {
    places: HashMap<String, Vec<usize>>,
}

impl Errand {
    fn first(&self, what: &str) -> usize {
        self.places.get(what).map_or(usize::MAX, |places| places[0])
    }

    fn last(&self, what: &str) -> usize {
        *self
            .places
            .get(what)
            .and_then(|places| places.last())
            .unwrap_or_else(|| panic!("no `{what}` in {self:?}"))
    }
}

/// The side effects of each errand, by its number.
fn read_log(path: &Path) -> HashMap<u64, Errand> {
    let mut errands: HashMap<u64, Errand> = HashMap::new();
    let text = std::fs::read_to_string(path).unwrap();
    for (place, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split(' ').collect();
        let (run, what) = match words.as_slice() {
            [_generation, "E", run, step] => (run, (*step).to_owned()),
            [_generation, kind @ ("O" | "A"), run] => (run, (*kind).to_owned()),
            _ => panic!("a line of the log reads `{line}`"),
        };
        let errand = errands.entry(run.parse().unwrap()).or_default();
        errand.places.entry(what).or_default().push(place);
    }
    errands
}

/// The stream of every run, read from where the last read left off.
#[derive(Default)]
struct Reader {
    read: HashMap<RunId, Vec<(u64, String)>>,
}

impl Reader {
    async fn read_on(&mut self, store: &dyn Store) {
        for run in store.list(&RunFilter::new()).await.unwrap() {
            let read = self.read.entry(run.id).or_default();
            let after = read.last().map_or(0, |(sequence, _)| *sequence);
            for record in store.read_stream(run.id, after, usize::MAX).await.unwrap() {
                let event: serde_json::Value = serde_json::from_slice(&record.bytes).unwrap();
                read.push((record.seq, event.to_string()));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_leave_every_run_to_end_once_with_no_finished_step_run_again() {
    let kills = setting("CRASH_KILLS").unwrap_or(200);
    let seed = setting("CRASH_SEED").unwrap_or_else(|| RunId::next().as_u128() as u64);
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
    let mut results = Vec::new();
    for run in &runs {
        let StatusKind::Finished = run.status.kind() else {
            panic!("run {} did not end: {:?}; {replay}", run.id, run.status);
        };
        let typed_workflows::store::RunStatus::Finished { outcome } = &run.status else {
            unreachable!()
        };
        let outcome: serde_json::Value = serde_json::from_slice(outcome).unwrap();
        results.push(
            outcome["stopped"]["value"]["result"]
                .as_u64()
                .expect("stopped with a number"),
        );
    }
    results.sort_unstable();
    let expected: Vec<u64> = (0..RUNS).map(|run| 30 * run + 10).collect();
    assert_eq!(results, expected, "{replay}");

    for (run, errand) in read_log(&files.log) {
        let order = [
            ("plan", "split"),
            ("split", "work0"),
            ("split", "work1"),
            ("split", "work2"),
        ];
        for (before, after) in order {
            assert!(
                errand.last(before) < errand.first(after),
                "run {run}: `{before}` ran after `{after}` began: {errand:?}; {replay}"
            );
        }
        for work in ["work0", "work1", "work2"] {
            assert!(
                errand.last(work) < errand.first("gather"),
                "run {run}: {errand:?}; {replay}"
            );
        }
        assert!(
            errand.last("gather") < errand.first("check"),
            "run {run}: {errand:?}; {replay}"
        );
        assert!(
            errand.last("check") < errand.first("ask"),
            "run {run}: {errand:?}; {replay}"
        );
        assert!(
            errand.last("O") < errand.first("A"),
            "run {run}: the recorded effect ran again: {errand:?}; {replay}"
        );
    }

    for run in &runs {
        let read = &reader.read[&run.id];
        let sequences: Vec<u64> = read.iter().map(|(sequence, _)| *sequence).collect();
        assert_eq!(
            sequences,
            (1..=read.len() as u64).collect::<Vec<_>>(),
            "{replay}"
        );
        let whole: Vec<String> = store
            .read_stream(run.id, 0, usize::MAX)
            .await
            .unwrap()
            .iter()
            .map(|record| {
                serde_json::from_slice::<serde_json::Value>(&record.bytes)
                    .unwrap()
                    .to_string()
            })
            .collect();
        let pieced: Vec<String> = read.iter().map(|(_, event)| event.clone()).collect();
        assert_eq!(
            pieced, whole,
            "the stream read in pieces differs from the whole; {replay}"
        );
        assert!(whole.last().unwrap().contains("\"StopEvent\""), "{replay}");
        for step in [
            "\"plan\"",
            "\"work0\"",
            "\"work1\"",
            "\"work2\"",
            "InputRequiredEvent",
        ] {
            assert!(
                whole.iter().any(|event| event.contains(step)),
                "no {step} in the stream of {}; {replay}",
                run.id
            );
        }
    }
}
