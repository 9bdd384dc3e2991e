//! What a run records for the reports that follow its steps: each
//! invocation's start, end and duration, and the names of the events it
//! sent, wrote and received, attributed to it however the run interleaves
//! its invocations.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use tokio::time::Instant;
use workflow_model::StepInfo;
use workflow_model::observe::{StepFailed, StepFinished, StepStarted};

use crate::context::Context;
use crate::report::Happening;
use crate::run::spawned;
use crate::workflow::{StepFuture, Workflow};

/// What a run records for the reports that follow its steps, shared with
/// its steps. Polls of a run's invocations never overlap, so whatever is
/// sent during one poll belongs to the invocation being polled; spawned
/// invocations, which run in tasks of their own, note what they do there,
/// and hand it over in their last poll.
pub(crate) struct Watcher {
    /// When the run began, by tokio's clock: what the reported
    /// times count from.
    began: Instant,
    state: Mutex<Records>,
    /// Whether the run was reported idle since it last went on.
    told_idle: AtomicBool,
}

#[derive(Default)]
struct Records {
    /// What was noted during the current poll.
    noted: Noted,
    /// The invocation that has just completed, until the run takes it.
    completed: Option<Completed>,
}

/// The names of the events an invocation sent, wrote to the stream and
/// received from the caller, in order: during the current poll of the
/// run's invocations, or in the task of a spawned one.
#[derive(Default)]
pub(crate) struct Noted {
    sent: Vec<&'static str>,
    written: Vec<&'static str>,
    received: Vec<&'static str>,
}

/// An invocation that has completed, as its reports describe it.
pub(crate) struct Completed {
    duration: Duration,
    /// When it completed, counted from the start of the run.
    at: Duration,
    produced: Vec<&'static str>,
    written: Vec<&'static str>,
    received: Vec<&'static str>,
}

impl Watcher {
    /// The watcher of a run a report of which follows steps.
    #[cold]
    pub(crate) fn new() -> Box<Self> {
        Box::new(Self {
            began: Instant::now(),
            state: Mutex::default(),
            told_idle: AtomicBool::new(false),
        })
    }

    /// How long ago the run began.
    fn since_began(&self) -> Duration {
        self.began.elapsed()
    }

    /// Notes that the invocation being polled sent an event named `name`.
    #[cold]
    pub(crate) fn sent(&self, name: &'static str) {
        self.note(|noted| noted.sent.push(name));
    }

    /// Notes that the invocation being polled wrote an event named `name` to
    /// the stream.
    #[cold]
    pub(crate) fn wrote(&self, name: &'static str) {
        self.note(|noted| noted.written.push(name));
    }

    /// Notes that the invocation being polled received an event named
    /// `name` from the run's caller.
    #[cold]
    pub(crate) fn received(&self, name: &'static str) {
        self.note(|noted| noted.received.push(name));
    }

    /// Notes something in the task of the spawned invocation doing it, if
    /// it is one, or for the invocation being polled.
    fn note(&self, note: impl Fn(&mut Noted)) {
        if !spawned::note(&note) {
            note(&mut self.lock().noted);
        }
    }

    /// Takes what a spawned invocation noted in its task, as if it had
    /// happened during the current poll, which is its last.
    pub(crate) fn absorb(&self, noted: Noted) {
        let mut records = self.lock();
        let current = &mut records.noted;
        current.sent.extend(noted.sent);
        current.written.extend(noted.written);
        current.received.extend(noted.received);
    }

    /// Notes that the invocation that has just completed returned an event
    /// named `name`, as the run routes it.
    #[cold]
    pub(crate) fn returned(&self, name: &'static str) {
        if let Some(completed) = &mut self.lock().completed {
            completed.produced.push(name);
        }
    }

    /// Whether the run was reported idle since it last went on.
    pub(crate) fn told_idle(&self) -> bool {
        self.told_idle.load(Ordering::Relaxed)
    }

    /// Notes that the run is reported idle.
    pub(crate) fn tell_idle(&self) {
        self.told_idle.store(true, Ordering::Relaxed);
    }

    /// Notes that the run went on: it may become idle again.
    pub(crate) fn went_on(&self) {
        self.told_idle.store(false, Ordering::Relaxed);
    }

    /// The record of the invocation that has just completed.
    pub(crate) fn take_completed(&self) -> Completed {
        self.lock()
            .completed
            .take()
            .expect("an invocation leaves its record as it completes, before the run takes it")
    }

    fn lock(&self) -> MutexGuard<'_, Records> {
        // Nothing panics while the lock is held.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Completed {
    /// The event saying that the invocation of the step `info` with an
    /// `event` succeeded.
    pub(crate) fn finished(self, info: &StepInfo, event: &str) -> StepFinished {
        StepFinished {
            step: info.name.to_owned(),
            event: event.to_owned(),
            duration: self.duration,
            at: self.at,
            produced: self.produced.into_iter().map(str::to_owned).collect(),
            written: self.written.into_iter().map(str::to_owned).collect(),
            received: self.received.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The event saying that the invocation of the step `info` with an
    /// `event` failed with `error`.
    pub(crate) fn failed(self, info: &StepInfo, event: &str, error: String) -> StepFailed {
        StepFailed {
            step: info.name.to_owned(),
            event: event.to_owned(),
            duration: self.duration,
            at: self.at,
            error,
        }
    }
}

/// Reports the [`StepStarted`] of an invocation of the step at index
/// `step` with an `event`, whose `future` is about to be polled for the
/// first time, and wraps the future so that it leaves its [`Completed`]
/// record with `watcher` as it completes.
#[cold]
pub(crate) fn watch<'a, W: Workflow>(
    ctx: &Context<W>,
    watcher: &'a Watcher,
    (step, event): (usize, &str),
    future: StepFuture<'a, W>,
) -> StepFuture<'a, W> {
    let at = watcher.since_began();
    ctx.report(&Happening::StepStarted(&StepStarted::of(
        &W::STEPS[step],
        event,
        at,
    )));
    Box::pin(Watched::<W> {
        future,
        watcher,
        started: Instant::now(),
        produced: Vec::new(),
        written: Vec::new(),
        received: Vec::new(),
    })
}

/// A step's future while a report of the run follows steps: it takes the
/// names of the events sent and written in each of its polls, and times
/// itself.
struct Watched<'a, W: Workflow> {
    future: StepFuture<'a, W>,
    watcher: &'a Watcher,
    started: Instant,
    /// The names of the events it sent so far.
    produced: Vec<&'static str>,
    /// The names of the events it wrote so far.
    written: Vec<&'static str>,
    /// The names of the events it received so far.
    received: Vec<&'static str>,
}

impl<W: Workflow> Future for Watched<'_, W> {
    type Output = anyhow::Result<W::Produced>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // The invocation catches the panic; its record is left here first.
        let polled = catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx)));
        let mut records = this.watcher.lock();
        this.produced.append(&mut records.noted.sent);
        this.written.append(&mut records.noted.written);
        this.received.append(&mut records.noted.received);
        if !matches!(polled, Ok(Poll::Pending)) {
            records.completed = Some(Completed {
                duration: this.started.elapsed(),
                at: this.watcher.since_began(),
                produced: std::mem::take(&mut this.produced),
                written: std::mem::take(&mut this.written),
                received: std::mem::take(&mut this.received),
            });
        }
        drop(records);
        polled.unwrap_or_else(|payload| resume_unwind(payload))
    }
}
