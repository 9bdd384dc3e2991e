//! The writer thread and its group commit.
//!
//! One thread owns the connection that writes. A write is a job sent over
//! a bounded channel with a oneshot for its answer. The thread takes every
//! job waiting (up to the group limit), applies each inside its own
//! SAVEPOINT within one transaction (a job that fails rolls back to its
//! savepoint and gets its error; the others stay; a job alone in its
//! group needs no savepoint), commits once (one fsync for the group), and
//! only then answers them all and sends their notices.

use std::sync::Arc;
use std::thread;
use std::time::SystemTime;

use rusqlite::Connection;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::clock::Clock;
use crate::error::StoreError;
use crate::notice::{self, Notice};

/// What a job sees of the store: its name, and the time the job runs at.
pub(super) struct Env<'a> {
    /// The store, for errors.
    pub store: &'a str,
    /// The store's clock when the job began.
    pub now: SystemTime,
}

/// One write waiting for, or taken by, the writer thread.
trait Job: Send {
    /// Applies the write; `Some` with its notices if it succeeded, `None`
    /// if it failed and must be rolled back.
    fn apply(&mut self, conn: &Connection, env: &Env<'_>) -> Option<Vec<Notice>>;

    /// Answers the caller: with the job's own result, unless the group
    /// failed to commit (`group`: why) after the job succeeded.
    fn answer(self: Box<Self>, store: &str, group: Option<&str>);
}

/// A job from a closure, and its result until it is answered.
struct Pending<F, T> {
    work: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> Job for Pending<F, T>
where
    F: FnOnce(&Connection, &Env<'_>) -> Result<(T, Vec<Notice>), StoreError> + Send,
    T: Send,
{
    fn apply(&mut self, conn: &Connection, env: &Env<'_>) -> Option<Vec<Notice>> {
        let work = self.work.take()?;
        match work(conn, env) {
            Ok((value, notices)) => {
                self.result = Some(Ok(value));
                Some(notices)
            }
            Err(error) => {
                self.result = Some(Err(error));
                None
            }
        }
    }

    fn answer(self: Box<Self>, store: &str, group: Option<&str>) {
        let result = match (self.result, group) {
            (Some(Err(error)), _) => Err(error),
            (Some(Ok(value)), None) => Ok(value),
            (_, why) => Err(StoreError::Backend {
                store: store.to_owned(),
                operation: "the group commit".to_owned(),
                source: why.unwrap_or("the writer stopped before the write").into(),
            }),
        };
        // The caller may have stopped waiting: then no one needs the answer.
        let _ = self.reply.send(result);
    }
}

/// What the writer thread works with.
pub(super) struct Config {
    /// The store, for errors.
    pub store: String,
    /// The store's clock.
    pub clock: Arc<dyn Clock>,
    /// Where notices go.
    pub notices: broadcast::Sender<Notice>,
    /// The most jobs one transaction takes.
    pub group_limit: usize,
    /// The most jobs that wait for the writer before senders wait too.
    pub queue: usize,
}

/// The handle to the writer thread: dropping it lets the thread finish
/// the jobs sent and stop.
pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<thread::JoinHandle<()>>,
    store: String,
}

impl Writer {
    /// Starts the thread that writes through `conn`.
    pub fn start(conn: Connection, config: Config) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(config.queue.max(1));
        let store = config.store.clone();
        let thread = thread::Builder::new()
            .name("workflow-store writer".to_owned())
            .spawn(move || serve(&conn, queue, &config))?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
            store,
        })
    }

    /// Runs `work` in the writer's next group, and waits for the group to
    /// commit.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection, &Env<'_>) -> Result<(T, Vec<Notice>), StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let gone = || StoreError::Backend {
            store: self.store.clone(),
            operation: "hand a write to the writer thread".to_owned(),
            source: "the writer thread has stopped".into(),
        };
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            work: Some(work),
            result: None,
            reply,
        });
        let jobs = self.jobs.as_ref().ok_or_else(gone)?;
        jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // A panic of the writer was already answered as "stopped".
            let _ = thread.join();
        }
    }
}

/// The writer thread: one group at a time until every sender is gone.
fn serve(conn: &Connection, mut queue: mpsc::Receiver<Box<dyn Job>>, config: &Config) {
    let mut group = Vec::new();
    while let Some(first) = queue.blocking_recv() {
        group.push(first);
        while group.len() < config.group_limit {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut notices = Vec::new();
        let failure = commit_group(conn, config, &mut group, &mut notices)
            .err()
            .map(|error| error.to_string());
        if failure.is_none() {
            notice::announce(&config.notices, notices);
        }
        for job in group.drain(..) {
            job.answer(&config.store, failure.as_deref());
        }
    }
}

/// Applies `group` in one transaction, each job in its own savepoint
/// unless it is alone.
fn commit_group(
    conn: &Connection,
    config: &Config,
    group: &mut [Box<dyn Job>],
    notices: &mut Vec<Notice>,
) -> rusqlite::Result<()> {
    run(conn, "BEGIN IMMEDIATE")?;
    let applied = match group {
        [job] => apply_alone(conn, config, job.as_mut(), notices),
        _ => group
            .iter_mut()
            .try_for_each(|job| apply_one(conn, config, job.as_mut(), notices))
            .and_then(|()| run(conn, "COMMIT")),
    };
    if applied.is_err() && !conn.is_autocommit() {
        // The error to report is the first; a failed rollback adds nothing.
        let _ = run(conn, "ROLLBACK");
    }
    applied
}

/// Runs one statement of transaction control, prepared once and then
/// taken from the statement cache: `execute_batch` would parse it again
/// for every job.
fn run(conn: &Connection, sql: &'static str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// What a job starting now sees.
fn env(config: &Config) -> Env<'_> {
    Env {
        store: &config.store,
        now: config.clock.now(),
    }
}

/// Applies the one job of a group, and ends the transaction: committed if
/// the job succeeds, rolled back if not. It needs no savepoint, since the
/// transaction holds nothing else: this spares the two statements and the
/// copy of every page it changes into the savepoint's journal, which
/// sequential writes (one job per group) paid on every commit.
fn apply_alone(
    conn: &Connection,
    config: &Config,
    job: &mut dyn Job,
    notices: &mut Vec<Notice>,
) -> rusqlite::Result<()> {
    match job.apply(conn, &env(config)) {
        Some(done) => {
            notices.extend(done);
            run(conn, "COMMIT")
        }
        None => run(conn, "ROLLBACK"),
    }
}

/// Applies one job inside a savepoint: kept if it succeeds, rolled back if not.
fn apply_one(
    conn: &Connection,
    config: &Config,
    job: &mut dyn Job,
    notices: &mut Vec<Notice>,
) -> rusqlite::Result<()> {
    run(conn, "SAVEPOINT job")?;
    match job.apply(conn, &env(config)) {
        Some(done) => {
            notices.extend(done);
            run(conn, "RELEASE job")
        }
        None => run(conn, "ROLLBACK TO job").and_then(|()| run(conn, "RELEASE job")),
    }
}
