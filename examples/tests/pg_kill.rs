//! Kill tests of durable runs on PostgreSQL, each on a server of its own
//! (`pg_kill/postgres.rs`) that it may stop and start again:
//!
//! - Three worker processes (`tests/pg_kill/worker.rs`) share 1,000
//!   errands (`tests/kill/errand.rs`). A seeded loop kills one of them
//!   with SIGKILL after a chosen number of side effects, again and again,
//!   and starts it again, now under the same name (it takes its runs up
//!   at once), now under a new one (the others take them up once their
//!   leases lapse); the server is stopped at once and started again in
//!   the middle. The test submits the errands (`Runner::submit`) and
//!   answers each one's question through the store (`Runner::send_input`):
//!   the even ones as soon as a worker begins to ask (the worker takes the
//!   answer from the store's notice), the odd ones once the run has parked
//!   at the question (the test process takes the run up, as `send_input`
//!   does). Then it checks what `tests/crash.rs` checks: every errand
//!   ended once with the right result and none is left unfinished; no
//!   step whose end was recorded ran again; no effect recorded with
//!   `ctx.once` ran again; each stream, read in pieces across the kills,
//!   has no gap and no repeat and holds each step's events.
//! - A worker is paused with SIGSTOP in the middle of a step; another
//!   takes the run over once the lease lapsed and ends it; the first,
//!   let go on with SIGCONT, finishes its step but cannot write it: the
//!   run holds only the second's work, and the first is told its lease
//!   was lost.
//!
//! `PG_KILL_KILLS` sets how many kills (20 by default), `PG_KILL_SEED` the
//! seed (random by default, printed with any failure, which also shows each
//! unfinished run's record and keeps the log of side effects under the
//! target's `tmp` folder). Without PostgreSQL's server programs each test
//! says it was skipped; under CI it fails.

#[path = "kill/checks.rs"]
mod checks;
#[path = "kill/errand.rs"]
mod errand;
#[path = "pg_kill/postgres.rs"]
mod postgres;
#[path = "server/support.rs"]
mod support;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use typed_workflows::durable::InputError;
use typed_workflows::prelude::*;
use typed_workflows::store::{PostgresStore, RunFilter, RunStatus, StatusKind, Store, StoreError};
use typed_workflows::{HumanResponseEvent, RunId};

use checks::{Reader, Seeded, check_log, result_of, results, seed, setting};
use errand::{ANSWER, Errand, Log};
use postgres::Postgres;

/// The errands the workers share.
const RUNS: u64 = 1_000;

/// How many errands are submitted at once.
const SUBMIT_BATCH: usize = 50;

/// How many workers share them.
const WORKERS: u64 = 3;

/// About how many side effects an errand makes: the kills are spread
/// over them.
const EFFECTS_PER_RUN: u64 = 11;

/// The schema of the tests' tables.
const SCHEMA: &str = "kill_test";

/// How long the kill test may take to see every errand end.
const KILL_DEADLINE: Duration = Duration::from_secs(100);

/// How long the lease test waits for each thing it waits for.
const LEASE_DEADLINE: Duration = Duration::from_secs(30);

/// How long the leases of the kill test last, in the workers and in the
/// test process (which takes up a parked run it answers, as
/// `Runner::send_input` does): long enough that a live worker renews
/// them in time however busy the machine, as only killed workers should
/// lose runs; a run whose worker was killed and started again under a new
/// name waits for its lease to lapse.
const KILL_LEASE: Duration = Duration::from_secs(8);

/// How long the leases of the lease test last: its worker is paused on
/// purpose.
const PAUSE_LEASE: Duration = Duration::from_secs(2);

/// A file of the target's folder for tests, kept if the test fails (its
/// path is printed then), removed if it passes.
struct Kept(std::path::PathBuf);

impl Kept {
    fn new(name: &str) -> Self {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_file(&path);
        Self(path)
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the log of side effects is kept at {}", self.0.display());
        } else {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// A line a worker printed, and the slot of the worker.
struct Said {
    slot: u64,
    line: String,
}

/// A worker process, killed when dropped.
struct Worker {
    child: Child,
    /// Closed to tell it to stop.
    stdin: Option<ChildStdin>,
}

impl Worker {
    /// Starts `pg-kill-worker URL kill_test LOG NAME LEASE_MS MODE ARGS...`
    /// in `slot`; each line it prints goes to `said`.
    fn start(
        (postgres, log): (&Postgres, &Path),
        (name, lease): (&str, Duration),
        mode: &[&str],
        slot: u64,
        said: &mpsc::UnboundedSender<Said>,
    ) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pg-kill-worker"))
            .arg(postgres.url())
            .arg(SCHEMA)
            .arg(log)
            .arg(name)
            .arg(lease.as_millis().to_string())
            .args(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the worker starts");
        let stdout = child.stdout.take().expect("its output is piped");
        let said = said.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if said.send(Said { slot, line }).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self { child, stdin }
    }

    /// Sends it `signal` (`KILL`, `STOP`, `CONT`).
    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIG{signal} is sent");
    }

    /// Kills it with SIGKILL, and reaps it.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Tells it to stop, and waits up to `deadline` for it to end well.
    fn stop(&mut self, deadline: Duration) {
        drop(self.stdin.take());
        let until = Instant::now() + deadline;
        // A watchdog: the worker's end is what is awaited, checked every 50 ms.
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().expect("the worker is waited for") {
                assert!(status.success(), "the worker stopped with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the worker did not stop within {deadline:?}");
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The next line of `heard` that `wanted` picks out, before `deadline`;
/// the lines passed over are dropped. A failure names `what` was awaited.
async fn next_line<T>(
    heard: &mut mpsc::UnboundedReceiver<Said>,
    what: &str,
    mut wanted: impl FnMut(&Said) -> Option<T>,
) -> T {
    let until = tokio::time::Instant::now() + LEASE_DEADLINE;
    let mut passed = Vec::new();
    loop {
        match tokio::time::timeout_at(until, heard.recv()).await {
            Ok(Some(said)) => {
                if let Some(found) = wanted(&said) {
                    return found;
                }
                passed.push(format!("{}: {}", said.slot, said.line));
            }
            Ok(None) => panic!("every worker's output ended before {what}: {passed:?}"),
            Err(_) => panic!("no {what} within {LEASE_DEADLINE:?}; passed over {passed:?}"),
        }
    }
}

/// The server for a test, or `None` having said why there is none (see
/// [`support::skip`]).
fn server(what: &str) -> Option<Postgres> {
    match Postgres::start() {
        Ok(postgres) => Some(postgres),
        Err(why) => {
            support::skip(what, &why);
            None
        }
    }
}

/// Connects to the test's server.
async fn connect(postgres: &Postgres) -> Arc<PostgresStore> {
    Arc::new(
        PostgresStore::connect_in_schema(&postgres.url(), SCHEMA)
            .await
            .expect("the test connects to its server"),
    )
}

/// Answers the question of errand `run`, through the store: tries again
/// while the server is down (it is restarted once), and takes an errand
/// that has ended already (answered by an earlier try whose reply was
/// lost) as answered.
async fn answer(runner: Arc<Runner<Errand>>, run: RunId) {
    let until = Instant::now() + KILL_DEADLINE;
    loop {
        let answer = HumanResponseEvent {
            response: ANSWER.into(),
        };
        match runner.send_input(run, answer).await {
            Ok(_) | Err(InputError::Store(StoreError::Finished { .. })) => return,
            Err(error) if Instant::now() < until => {
                eprintln!("answering run {run} failed, trying again: {error}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("run {run} could not be answered: {error}"),
        }
    }
}

/// The runs of `store` that have not ended, the parked ones apart, if the
/// store answers: `(running, parked)`.
async fn unfinished(store: &PostgresStore) -> Option<(Vec<RunId>, Vec<RunId>)> {
    let mut lists = Vec::new();
    for status in [StatusKind::Running, StatusKind::Parked] {
        let runs = store.list(&RunFilter::new().status(status)).await.ok()?;
        lists.push(runs.into_iter().map(|run| run.id).collect());
    }
    let parked = lists.pop()?;
    Some((lists.pop()?, parked))
}

/// Whether the errand numbered `number` is answered as soon as its worker
/// begins to ask (the worker holds the run, and takes the answer from the
/// store's notice), rather than once the run has parked at its question
/// (the test process takes it up, as `Runner::send_input` does).
fn answered_early(number: u64) -> bool {
    number.is_multiple_of(2)
}

/// The unfinished runs of `store`, told for a failure: their heads, whether
/// the test answered them, and the lines of the log of their errands
/// (numbered as `ids` says).
async fn unfinished_told(
    postgres: &Postgres,
    store: &PostgresStore,
    (ids, answered): (&HashMap<u64, RunId>, &HashSet<u64>),
    log: &Path,
) -> String {
    let numbers: HashMap<RunId, u64> = ids.iter().map(|(number, run)| (*run, *number)).collect();
    let effects = std::fs::read_to_string(log).unwrap_or_default();
    let mut told = String::new();
    for status in [StatusKind::Running, StatusKind::Parked] {
        for run in store
            .list(&RunFilter::new().status(status))
            .await
            .unwrap_or_default()
        {
            let heads = postgres.sql(&format!(
                "select status, epoch, lease_owner, lease_expires, input_next, consumed_through, journal_next, stream_next from {SCHEMA}.runs where id = '{}'",
                run.id
            ));
            let number = numbers.get(&run.id);
            let answered = number.is_some_and(|number| answered.contains(number));
            told.push_str(&format!(
                "run {} of errand {number:?} ({:?}{}): status|epoch|lease_owner|lease_expires|input_next|consumed_through|journal_next|stream_next = {heads}",
                run.id,
                run.status,
                if answered { ", answered: its answer is lost if it is parked" } else { "" },
            ));
            if let Ok(Some(loaded)) = store.load(run.id).await {
                let snapshot = loaded
                    .snapshot
                    .map(|snapshot| String::from_utf8_lossy(&snapshot.bytes).into_owned());
                told.push_str(&format!(
                    "  snapshot: {snapshot:?}\n  inputs: {:?}\n",
                    loaded
                        .inputs
                        .iter()
                        .map(|input| String::from_utf8_lossy(&input.bytes).into_owned())
                        .collect::<Vec<_>>()
                ));
            }
            if let Some(number) = number {
                for line in effects
                    .lines()
                    .filter(|line| line.split(' ').nth(2) == Some(&number.to_string()))
                {
                    told.push_str(&format!("    {line}\n"));
                }
            }
        }
    }
    told
}

/// The words of a side effect's line: `TAG E RUN STEP`, `TAG O RUN` or
/// `TAG A RUN`.
fn effect(line: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = line.split(' ').collect();
    matches!(words.get(1), Some(&("E" | "O" | "A"))).then_some(words)
}

/// What the kill test has seen and done.
struct Kills {
    seeded: Seeded,
    /// The kills still to make.
    left: u64,
    /// Side effects seen, and the count at which the next kill falls.
    effects: u64,
    next_kill: u64,
    /// The runs by errand number, and their numbers.
    ids: HashMap<u64, RunId>,
    numbers: HashMap<RunId, u64>,
    /// The errands answered.
    answered: HashSet<u64>,
    answers: Vec<tokio::task::JoinHandle<()>>,
}

impl Kills {
    /// How many side effects until the next kill: about an even share of
    /// the whole, at random.
    fn gap(&mut self, kills: u64) -> u64 {
        1 + self.seeded.below(2 * RUNS * EFFECTS_PER_RUN / (kills + 2))
    }

    /// Answers errand `number`, once.
    fn answer(&mut self, runner: &Arc<Runner<Errand>>, number: u64) {
        let run = self.ids[&number];
        if self.answered.insert(number) {
            self.answers.push(tokio::spawn(answer(runner.clone(), run)));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_again_and_again_with_a_server_restart_leave_every_run_to_end_once() {
    let what = "kill tests on PostgreSQL";
    let Some(mut postgres) = server(what) else {
        return;
    };
    let kills = setting("PG_KILL_KILLS").unwrap_or(20);
    let seed = seed("PG_KILL_SEED");
    let replay = format!("replay with PG_KILL_SEED={seed} PG_KILL_KILLS={kills}");
    println!("{replay}");
    let log = Kept::new(&format!("pg_kill-{seed}.log"));
    let log = &log.0;
    let store = connect(&postgres).await;
    let tester = Log::open(log, "tester".into(), false).unwrap();
    let runner = Arc::new(
        Errand { log: tester }
            .runner()
            .without_timeout()
            .durable(store.clone())
            .worker("tester")
            .lease(KILL_LEASE),
    );
    let (said, mut heard) = mpsc::unbounded_channel();
    let name = |slot: u64, generation: u64| format!("w{slot}-{generation}");
    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|slot| {
            Worker::start(
                (&postgres, log),
                (&name(slot, 0), KILL_LEASE),
                &["errands"],
                slot,
                &said,
            )
        })
        .collect();
    let mut names: Vec<String> = (0..WORKERS).map(|slot| name(slot, 0)).collect();
    let mut state = Kills {
        seeded: Seeded(seed),
        left: kills,
        effects: 0,
        next_kill: 0,
        ids: HashMap::new(),
        numbers: HashMap::new(),
        answered: HashSet::new(),
        answers: Vec::new(),
    };
    state.next_kill = state.gap(kills);
    let began = Instant::now();
    // A batch at a time, each errand on a task of its own.
    for first in (0..RUNS).step_by(SUBMIT_BATCH) {
        let batch: Vec<_> = (first..RUNS.min(first + SUBMIT_BATCH as u64))
            .map(|number| {
                let runner = runner.clone();
                let start = StartEvent::new().with("run", number);
                tokio::spawn(async move { (number, runner.submit(start).await) })
            })
            .collect();
        for submitted in batch {
            let (number, run) = submitted.await.unwrap();
            let run = run.expect("the errand is submitted");
            state.ids.insert(number, run);
            state.numbers.insert(run, number);
        }
    }
    println!("{RUNS} errands submitted in {:?}", began.elapsed());
    let mut midway = None;
    let mut restarted = false;
    let mut generation = 0;
    let until = tokio::time::Instant::now() + KILL_DEADLINE;
    let mut look = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            next = heard.recv() => {
                let Said { slot, line } = next.expect("the test holds a sender");
                let Some(words) = effect(&line) else {
                    panic!("worker {slot} printed `{line}`; {replay}");
                };
                if let ["E", number, "ask"] = &words[1..] {
                    let number = number.parse().unwrap();
                    if answered_early(number) {
                        state.answer(&runner, number);
                    }
                }
                state.effects += 1;
                if !restarted && state.effects >= RUNS * EFFECTS_PER_RUN / 2 {
                    restarted = true;
                    tokio::task::block_in_place(|| postgres.restart_now())
                        .unwrap_or_else(|error| panic!("the server restarts: {error}; {replay}"));
                    println!("restarted the server after {} side effects", state.effects);
                    // The streams so far, read on a task of its own while
                    // the errands go on.
                    let store = store.clone();
                    midway = Some(tokio::spawn(async move {
                        let mut reader = Reader::default();
                        reader.read_on(&*store).await;
                        reader
                    }));
                }
                if state.left > 0 && state.effects >= state.next_kill {
                    state.left -= 1;
                    generation += 1;
                    let victim = state.seeded.below(WORKERS);
                    workers[victim as usize].kill();
                    // Now under the same name, taking its runs up at once;
                    // now under a new one, leaving them to lapse.
                    if state.seeded.below(2) == 1 {
                        names[victim as usize] = name(victim, generation);
                    }
                    let name = &names[victim as usize];
                    workers[victim as usize] =
                        Worker::start((&postgres, log), (name, KILL_LEASE), &["errands"], victim, &said);
                    state.next_kill = state.effects + state.gap(kills);
                }
            }
            _ = look.tick() => {
                let Some((running, parked)) = unfinished(&store).await else {
                    continue;
                };
                if running.is_empty() && parked.is_empty() {
                    break;
                }
                for run in parked {
                    let number = state.numbers[&run];
                    if !answered_early(number) {
                        state.answer(&runner, number);
                    }
                }
            }
            () = tokio::time::sleep_until(until) => {
                panic!(
                    "not every errand ended within {KILL_DEADLINE:?}: {} side effects, {} kills; unfinished:\n{}\n{replay}",
                    state.effects,
                    kills - state.left,
                    unfinished_told(&postgres, &store, (&state.ids, &state.answered), log).await,
                );
            }
        }
    }
    for answer in std::mem::take(&mut state.answers) {
        answer.await.unwrap();
    }
    for worker in &mut workers {
        tokio::task::block_in_place(|| worker.stop(Duration::from_secs(10)));
    }
    let effects = state.effects;
    println!(
        "every errand ended after {:?}: {} kills, the server restarted {}, {effects} side effects; {replay}",
        began.elapsed(),
        kills - state.left,
        if restarted { "once" } else { "never" },
    );
    let mut reader = match midway {
        Some(midway) => midway.await.unwrap(),
        None => Reader::default(),
    };
    reader.read_on(&*store).await;

    let runs = store.list(&RunFilter::new()).await.unwrap();
    assert_eq!(runs.len() as u64, RUNS, "{replay}");
    let expected: Vec<u64> = (0..RUNS).map(result_of).collect();
    assert_eq!(results(&runs, &replay), expected, "{replay}");
    check_log(log, RUNS, &replay);
    // An errand answered once parked was asked: its question is in the
    // store with the record that parked it.
    let asked = |run| !answered_early(state.numbers[&run]);
    reader.check(&*store, &runs, asked, &replay).await;
    for run in &runs {
        let events: Vec<u64> = runner
            .stored_events(run.id, 0)
            .map(|event| event.unwrap().seq)
            .collect()
            .await;
        assert_eq!(
            events,
            (1..=events.len() as u64).collect::<Vec<_>>(),
            "{replay}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_worker_whose_run_was_taken_over_cannot_write_to_it() {
    let what = "lease expiry on PostgreSQL";
    let Some(postgres) = server(what) else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let (log, gate) = (files.path().join("effects.log"), files.path().join("gate"));
    let store = connect(&postgres).await;
    let (said, mut heard) = mpsc::unbounded_channel();
    let gate_arg = gate.to_str().unwrap();
    let a = Worker::start(
        (&postgres, &log),
        ("a", PAUSE_LEASE),
        &["hold", gate_arg],
        0,
        &said,
    );
    let began = |slot| move |said: &Said| said.slot == slot && said.line.ends_with(" E 0 hold");
    // A's run is in the store, and its step has begun, in either order.
    let (mut run, mut begun) = (None, false);
    while run.is_none() || !begun {
        let said = next_line(&mut heard, "A's run started and its step begun", |said| {
            Some((said.line.clone(), began(0)(said)))
        })
        .await;
        if let Some(id) = said.0.strip_prefix("started ") {
            run = Some(id.parse::<RunId>().unwrap());
        }
        begun |= said.1;
    }
    let run = run.unwrap();
    a.signal("STOP");

    let mut b = Worker::start((&postgres, &log), ("b", PAUSE_LEASE), &["holds"], 1, &said);
    // B began the step again: it took the run over once A's lease lapsed.
    next_line(&mut heard, "step begun again by B", |said| {
        began(1)(said).then_some(())
    })
    .await;
    // A goes on while B holds the run: its step ends, and its commit is
    // refused.
    a.signal("CONT");
    std::fs::write(gate.with_extension("a"), "").unwrap();
    let said = next_line(&mut heard, "outcome of A's run", |said| {
        (said.slot == 0 && said.line.starts_with("outcome: ")).then(|| said.line.clone())
    })
    .await;
    assert!(
        said.contains("is no longer current"),
        "A was not told it lost the lease: {said}"
    );
    std::fs::write(gate.with_extension("b"), "").unwrap();
    let until = Instant::now() + LEASE_DEADLINE;
    let outcome = loop {
        let loaded = store.load(run).await.unwrap().expect("the run is stored");
        if let RunStatus::Finished { outcome } = loaded.meta.status {
            break serde_json::from_slice::<serde_json::Value>(&outcome).unwrap();
        }
        assert!(Instant::now() < until, "the run did not end under B");
        // Polls the store's state, with a deadline.
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(outcome["stopped"]["value"]["result"], "b", "{outcome}");
    let stream = store.read_stream(run, 0, usize::MAX).await.unwrap();
    let sequences: Vec<u64> = stream.iter().map(|record| record.seq).collect();
    assert_eq!(sequences, (1..=stream.len() as u64).collect::<Vec<_>>());
    let held: Vec<String> = stream
        .iter()
        .map(|record| serde_json::from_slice::<serde_json::Value>(&record.bytes).unwrap())
        .filter(|event| event.to_string().contains("\"Held\""))
        .map(|event| event.to_string())
        .collect();
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(held[0].contains("\"b\""), "{held:?}");
    b.stop(Duration::from_secs(10));
}
