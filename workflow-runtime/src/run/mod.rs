//! Starting runs: the [`Runner`] and the task that drives one run.

mod admission;
mod deadline;
pub(crate) mod fan;
mod invocation;

pub(crate) use invocation::{Failure, panic_message as invocation_panic_message};
mod machine;
mod ready;
mod slice;
pub(crate) mod spawned;
mod unfinished;

use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, resume_unwind};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures_util::FutureExt;
use tracing::Instrument;
use workflow_model::{__private::terminal_event, AnyEvent, RunId, StopEventType, WorkflowError};

use crate::backlog::{Bound, WhenFull};
use crate::check::uses_input;
use crate::context::Context;
use crate::control::Request;
use crate::durable::{self, Durability, Journal, Journaling};
use crate::handler::WorkflowHandler;
use crate::inbox::DEFAULT_INBOX_LIMIT;
use crate::report::{Happening, Report, Reports};
use crate::snapshotting::restore::{Restored, RestoredRun};
use crate::state::{RunState, State};
use crate::stream;
use crate::workflow::Workflow;
use admission::{Admission, Turn};
use deadline::Deadline;
use invocation::{StepSpans, Steps};
use machine::Machine;
use unfinished::Unfinished;
use workflow_model::snapshot::{self, ResumeError, RunSnapshot};
use workflow_store::{Owner, Record, Store};

/// How long a run may take unless configured otherwise, as in LlamaIndex.
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::DEFAULT_TIMEOUT;
/// use typed_workflows::prelude::*;
///
/// struct Quick;
///
/// #[workflow_impl]
/// impl Quick {
///     #[step]
///     async fn done(&self, _start: StartEvent) -> StopEvent<()> {
///         StopEvent::new(())
///     }
/// }
///
/// assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(45));
/// assert_eq!(Quick.runner().timeout_duration(), Some(DEFAULT_TIMEOUT));
/// assert_eq!(Quick.runner().without_timeout().timeout_duration(), None);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(45);

/// A workflow with its run settings; starts independent runs of it.
///
/// Cloning is cheap and shares the workflow value.
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::prelude::*;
///
/// struct Noop;
///
/// #[workflow_impl]
/// impl Noop {
///     #[step]
///     async fn only(&self, _ev: StartEvent) -> StopEvent<()> {
///         StopEvent::new(())
///     }
/// }
///
/// let runner = Noop.runner().timeout(Duration::from_secs(30)).verbose(true);
/// assert_eq!(runner.timeout_duration(), Some(Duration::from_secs(30)));
/// ```
pub struct Runner<W: Workflow> {
    workflow: Arc<W>,
    timeout: Option<Duration>,
    /// What its runs report to besides tracing, if anything.
    reports: Option<Arc<Reports>>,
    /// The cap on runs at once, shared with the runner's clones.
    admission: Option<Admission>,
    /// The bound of each run's event stream, if any.
    stream_bound: Option<Bound>,
    inbox_limit: usize,
    /// Where its runs are recorded, if they are durable.
    durability: Option<Arc<Durability>>,
}

impl<W: Workflow> Clone for Runner<W> {
    fn clone(&self) -> Self {
        Self {
            workflow: self.workflow.clone(),
            timeout: self.timeout,
            reports: self.reports.clone(),
            admission: self.admission.clone(),
            stream_bound: self.stream_bound,
            inbox_limit: self.inbox_limit,
            durability: self.durability.clone(),
        }
    }
}

impl<W: Workflow> Runner<W> {
    /// A runner with the default settings: a timeout of [`DEFAULT_TIMEOUT`],
    /// not verbose, observer events not exposed, an inbox of
    /// [`DEFAULT_INBOX_LIMIT`] events.
    pub fn new(workflow: W) -> Self {
        Self::from_arc(Arc::new(workflow))
    }

    /// A runner for a workflow value shared with other owners.
    pub fn from_arc(workflow: Arc<W>) -> Self {
        Self {
            workflow,
            timeout: Some(DEFAULT_TIMEOUT),
            reports: None,
            admission: None,
            stream_bound: None,
            inbox_limit: DEFAULT_INBOX_LIMIT,
            durability: None,
        }
    }

    /// Fails each run with [`WorkflowError::TimedOut`] once it has taken
    /// `timeout`, counted from when it starts running (after its wait in
    /// the queue of [`num_concurrent_runs`](Self::num_concurrent_runs), if
    /// any).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Lets runs take as long as they take.
    pub fn without_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// The timeout of each run, if any.
    pub fn timeout_duration(&self) -> Option<Duration> {
        self.timeout
    }

    /// Prints each step as it runs and each event it produces, as
    /// LlamaIndex's `verbose=True` does, and each retry and input event.
    /// One of the run's [reports](crate::report).
    pub fn verbose(mut self, verbose: bool) -> Self {
        Reports::verbose(&mut self.reports, verbose);
        self
    }

    /// Publishes observer events on each run's event stream, in order with
    /// what steps write there: when a step starts, finishes or fails, and
    /// when the run is left with nothing to do (see [`observe`](crate::observe)).
    /// Off by default, as LlamaIndex's `expose_internal`; while it is off, a
    /// run records nothing for them and its stream holds only what steps
    /// wrote.
    ///
    /// ```
    /// use typed_workflows::observe::{StepFinished, StepStarted};
    /// use typed_workflows::prelude::*;
    ///
    /// struct Noop;
    ///
    /// #[workflow_impl]
    /// impl Noop {
    ///     #[step]
    ///     async fn only(&self, _ev: StartEvent) -> StopEvent<()> {
    ///         StopEvent::new(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Noop.runner().expose_internal(true).run(StartEvent::new());
    /// let mut events = handler.stream_events()?;
    /// let started = events.next().await.unwrap();
    /// assert_eq!(started.downcast_ref::<StepStarted>().unwrap().step, "only");
    /// let finished = events.next().await.unwrap();
    /// assert_eq!(finished.downcast_ref::<StepFinished>().unwrap().produced, ["StopEvent"]);
    /// assert!(events.next().await.unwrap().is::<StopEvent<()>>());
    /// # Ok(())
    /// # }
    /// ```
    pub fn expose_internal(mut self, expose: bool) -> Self {
        Reports::expose_internal(&mut self.reports, expose);
        self
    }

    /// Records each run in `store` as it goes, so that it can go on after
    /// its process ends: see [`durable`](crate::durable) for what is
    /// recorded when, and [`recover`](Self::recover) to go on.
    ///
    /// The runner's runs are filed under the workflow's name and
    /// [`fingerprint`](crate::snapshot::fingerprint), with this machine's
    /// name as their worker (see [`worker`](Self::worker)).
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::store::{MemoryStore, RunFilter, StatusKind, Store};
    ///
    /// struct Hello;
    ///
    /// #[workflow_impl]
    /// impl Hello {
    ///     #[step]
    ///     async fn greet(&self, _start: StartEvent) -> StopEvent<String> {
    ///         StopEvent::new("hello".into())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let store = std::sync::Arc::new(MemoryStore::new());
    /// let runner = Hello.runner().durable(store.clone());
    /// assert_eq!(runner.run(StartEvent::new()).await?, "hello");
    /// let runs = store.list(&RunFilter::new()).await?;
    /// assert_eq!(runs[0].status.kind(), StatusKind::Finished);
    /// # Ok(())
    /// # }
    /// ```
    pub fn durable(mut self, store: impl Store) -> Self {
        let worker = self
            .durability
            .as_ref()
            .map_or_else(durable::default_worker, |durability| {
                durability.owner.id.clone()
            });
        self.durability = Some(Arc::new(Durability::new::<W>(Arc::new(store), worker)));
        self
    }

    /// Names the worker a durable runner's leases are taken as: by
    /// default, this machine's host name. Workers that share a store take
    /// each other's runs only once their leases lapse, so give each process
    /// a name of its own when several share one store; a process started
    /// again after a crash takes its runs up at once under the same name.
    ///
    /// # Panics
    ///
    /// If the runner is not [`durable`](Self::durable).
    pub fn worker(mut self, name: impl Into<String>) -> Self {
        let durability = self
            .durability
            .as_deref()
            .expect("`worker` names the worker of a durable runner: call `durable` first");
        self.durability = Some(Arc::new(Durability::with_owner(
            durability.store.clone(),
            Owner::new(name, durability.owner.lease_for),
            durability.key.clone(),
        )));
        self
    }

    /// How long a durable runner's leases last unless renewed: a live run
    /// renews its lease each time half of it has gone, with its next
    /// commit or, when it writes none meanwhile (a long step, a wait with
    /// its handler held), on its own. Once a lease lapses (its worker died,
    /// lost the store, or paused for longer) another worker may take the
    /// run up, and this one can no longer write to it: its run stops at
    /// its next write with [`WorkflowError::Store`], naming the lost lease.
    /// 60 s by default ([`DEFAULT_LEASE`](crate::durable::DEFAULT_LEASE));
    /// shorter hands a dead worker's runs on sooner, and takes runs from a
    /// worker that is only slow sooner too.
    ///
    /// # Panics
    ///
    /// If the runner is not [`durable`](Self::durable).
    pub fn lease(mut self, lasting: Duration) -> Self {
        let durability = self
            .durability
            .as_deref()
            .expect("`lease` sets the leases of a durable runner: call `durable` first");
        self.durability = Some(Arc::new(Durability::with_owner(
            durability.store.clone(),
            Owner::new(durability.owner.id.clone(), lasting),
            durability.key.clone(),
        )));
        self
    }

    /// Where the runner records its runs, if it is durable.
    pub(crate) fn durability(&self) -> Option<&Durability> {
        self.durability.as_deref()
    }

    /// Tells `report` what each run does, besides the run's other
    /// [reports](crate::report): tracing's, and the printing and observer
    /// events if they are on. Reports add up: each one given is told.
    pub fn report_to(mut self, report: impl Report) -> Self {
        Reports::add(&mut self.reports, Arc::new(report));
        self
    }

    /// Lets at most `limit` runs of this runner and its clones go on at
    /// once, as LlamaIndex's `num_concurrent_runs`: a run started beyond
    /// the cap does not fail, it waits in a queue until a run ends, and runs
    /// start in the order [`run`](Self::run) was called. The queue holds
    /// every run started and not yet admitted, without bound.
    ///
    /// A queued run has not started: its steps have not run, and its
    /// timeout counts from when it leaves the queue, as in LlamaIndex, where
    /// the run's semaphore is acquired before its control loop starts its
    /// timer. Cancelling or dropping the handler of a queued run takes it
    /// out of the queue; its stream ends with a
    /// [`WorkflowCancelledEvent`](crate::WorkflowCancelledEvent).
    ///
    /// Calling it again gives this runner a cap of its own, which the
    /// runner's earlier clones do not share.
    ///
    /// # Panics
    ///
    /// If `limit` is 0, which would admit no run.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    ///
    /// struct Noop;
    ///
    /// #[workflow_impl]
    /// impl Noop {
    ///     #[step]
    ///     async fn only(&self, _ev: StartEvent) -> StopEvent<()> {
    ///         StopEvent::new(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let runner = Noop.runner().num_concurrent_runs(2);
    /// // Three runs: the third waits for one of the first two to end.
    /// let handlers: Vec<_> = (0..3).map(|_| runner.run(StartEvent::new())).collect();
    /// for handler in handlers {
    ///     handler.await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn num_concurrent_runs(mut self, limit: usize) -> Self {
        assert!(
            limit > 0,
            "`num_concurrent_runs(0)` would admit no run: give at least 1"
        );
        self.admission = Some(Admission::new(limit));
        self
    }

    /// Bounds each run's event stream to `capacity` events that the reader
    /// has not taken yet, with `when_full` saying what a write into a full
    /// stream does: the run waits for the reader ([`WhenFull::Wait`]), or
    /// the oldest event makes room and the reader is told how many it missed
    /// ([`WhenFull::DropOldest`]). The stream's last event, the one that
    /// says how the run ended, never waits and is never dropped.
    ///
    /// Without it, as in LlamaIndex, the stream is unbounded: steps never
    /// wait for the reader, and what it has not read is held until it does
    /// or drops the stream.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0, which would hold no event.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::WhenFull;
    ///
    /// #[event]
    /// struct Tick { n: u32 }
    ///
    /// struct Ticker;
    ///
    /// #[workflow_impl]
    /// impl Ticker {
    ///     #[step(writes(Tick))]
    ///     async fn tick(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
    ///         for n in 0..1_000 {
    ///             ctx.wait_for_stream_room().await; // while the reader is behind
    ///             ctx.write_event_to_stream(Tick { n });
    ///         }
    ///         StopEvent::new(1_000)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<()> {
    /// let mut handler = Ticker.runner().stream_capacity(10, WhenFull::Wait).run(StartEvent::new());
    /// let mut events = handler.stream_events()?;
    /// let mut ticks = 0;
    /// while let Some(event) = events.next().await {
    ///     ticks += usize::from(event.is::<Tick>()); // no tick is lost
    /// }
    /// assert_eq!(ticks, 1_000);
    /// assert_eq!(handler.await?, 1_000);
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream_capacity(mut self, capacity: usize, when_full: WhenFull) -> Self {
        assert!(
            capacity > 0,
            "`stream_capacity(0, ..)` would hold no event: give at least 1"
        );
        self.stream_bound = Some(Bound {
            capacity,
            when_full,
        });
        self
    }

    /// Bounds each run's inbox: the events its caller sent
    /// ([`WorkflowHandler::send_event`]) that no step has taken yet, either
    /// not yet looked at by the run or kept for a step that waits for one
    /// later. Beyond `limit` such events, a send fails with
    /// [`SendError::InboxFull`](crate::SendError::InboxFull), and the caller
    /// may send again once a step has taken some. [`DEFAULT_INBOX_LIMIT`]
    /// (1024) unless set; at least 1. An event handed to a waiting step, or
    /// routed to a step that accepts it, has left the inbox: it is queued
    /// with the run's other events.
    ///
    /// ```
    /// use typed_workflows::prelude::*;
    /// use typed_workflows::{HumanResponseEvent, SendError};
    ///
    /// struct Later;
    ///
    /// #[workflow_impl]
    /// impl Later {
    ///     #[step(waits_for(HumanResponseEvent))]
    ///     async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
    ///         std::future::pending::<()>().await; // never waits for the answers
    ///         let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
    ///         Ok(StopEvent::new(answer.response))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = Later.runner().inbox_limit(2).run(StartEvent::new());
    /// let answer = || HumanResponseEvent { response: "yes".into() };
    /// handler.send_event(answer()).unwrap();
    /// handler.send_event(answer()).unwrap();
    /// assert_eq!(
    ///     handler.send_event(answer()),
    ///     Err(SendError::InboxFull { event: "HumanResponseEvent", limit: 2 })
    /// );
    /// # }
    /// ```
    pub fn inbox_limit(mut self, limit: usize) -> Self {
        self.inbox_limit = limit.max(1);
        self
    }

    /// The workflow value.
    pub fn workflow(&self) -> &W {
        &self.workflow
    }

    /// Starts a run with `start` on the current tokio runtime, and returns
    /// its handler at once.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// A run with a timeout that has to wait needs tokio's time driver
    /// (`enable_time` or `enable_all` on the runtime builder). Without it,
    /// such a run fails with [`WorkflowError::RunPanicked`], and the
    /// message says to enable the driver.
    pub fn run(&self, start: W::Start) -> WorkflowHandler<W> {
        self.spawn(start, RunState::default())
    }

    /// Starts a run with `start` as [`run`](Self::run) does, with `state` as
    /// its state instead of a fresh default one of its own: the caller seeds
    /// the state before and reads it during and after the run through its
    /// clone of `state`, and runs given clones of one state share it.
    ///
    /// # Panics
    ///
    /// As [`run`](Self::run).
    pub fn run_with_state(&self, start: W::Start, state: State<W::State>) -> WorkflowHandler<W> {
        self.spawn(start, RunState::Shared(state))
    }

    /// Goes on with the run `snapshot` wrote down (see [`RunSnapshot`]), in
    /// a new task of this runner, and returns its handler at once. The
    /// run keeps the time its timeout had left, and its stream numbers its
    /// events from the snapshot's
    /// [`next_sequence`](RunSnapshot::next_sequence). It is the same run:
    /// it keeps its [`RunId`]. Invocations that were in flight start again
    /// from their top.
    ///
    /// # Errors
    ///
    /// A [`ResumeError`] if the snapshot is of another workflow, or holds
    /// something this build of the workflow no longer understands: see
    /// [`ResumeError`] for the rule. Nothing has started then.
    ///
    /// # Panics
    ///
    /// As [`run`](Self::run).
    pub fn resume(&self, snapshot: RunSnapshot) -> Result<WorkflowHandler<W>, ResumeError> {
        self.resume_journaled(snapshot, None, &[])
    }

    /// Goes on with the run `snapshot` wrote down, as [`resume`](Self::resume)
    /// does, writing its records with `journaling` if given, or as a new
    /// run of the store if the runner is durable; with those of the
    /// store's unconsumed `inputs` that came after the snapshot.
    pub(crate) fn resume_journaled(
        &self,
        snapshot: RunSnapshot,
        journaling: Option<Box<Journaling>>,
        inputs: &[Record],
    ) -> Result<WorkflowHandler<W>, ResumeError> {
        snapshot::check::<W>(&snapshot)?;
        let Restored {
            run_id,
            run,
            mut context,
            state,
            timeout_left,
        } = Restored::<W>::of(snapshot)?;
        durable::add_later_inputs::<W>(&mut context, inputs)?;
        let state = RunState::Own(std::sync::Mutex::new(state));
        let begin = Beginning::Resume(Box::new(run));
        let journaling = journaling.or_else(|| self.new_journaling(run_id, timeout_left));
        Ok(
            self.spawn_with(begin, (run_id, journaling), state, timeout_left, |ctx| {
                context.refill(ctx);
            }),
        )
    }

    fn spawn(&self, start: W::Start, state: RunState<W::State>) -> WorkflowHandler<W> {
        let run_id = RunId::next();
        self.spawn_with(
            Beginning::Start(start),
            (run_id, self.new_journaling(run_id, self.timeout)),
            state,
            self.timeout,
            |_| {},
        )
    }

    /// Starts a new run with `start` that only writes its first record, for
    /// any worker of the runner's store to take up: it is suspended once
    /// that record is in the store. The runner is durable.
    pub(crate) fn spawn_handed_off(&self, start: W::Start) -> WorkflowHandler<W> {
        let run_id = RunId::next();
        self.spawn_with(
            Beginning::Start(start),
            (run_id, Some(Journaling::handed_off(run_id, self.timeout))),
            RunState::default(),
            self.timeout,
            |_| {},
        )
    }

    /// The journaling of the new run `run_id`, whose timeout has `timeout`
    /// left, if the runner is durable.
    fn new_journaling(&self, run_id: RunId, timeout: Option<Duration>) -> Option<Box<Journaling>> {
        self.durability
            .as_ref()
            .map(|_| Journaling::new_run(run_id, timeout))
    }

    fn spawn_with(
        &self,
        begin: Beginning<W>,
        (run_id, journaling): (RunId, Option<Box<Journaling>>),
        state: RunState<W::State>,
        timeout: Option<Duration>,
        prepare: impl FnOnce(&Context<W>),
    ) -> WorkflowHandler<W> {
        let (publisher, subscription, inlet) = stream::channel(self.stream_bound, self.inbox_limit);
        let journal = self.durability.as_ref().map(|durability| {
            publisher.tap();
            let journal = Journal::new(durability.clone());
            if let Some(written) = journaling.as_deref().and_then(Journaling::written) {
                journal.note_written(written);
            }
            Box::new(journal)
        });
        // Built before the task, so that the task holds the context alone
        // rather than both its parts and the context, and holds it once.
        let ctx = Context::new(run_id, publisher, self.reports.clone(), state, journal);
        prepare(&ctx);
        // Input sent through the store finds the run here, once its inbox
        // holds what the store held for it.
        if let Some(durability) = &self.durability {
            durable::Live::connect(run_id, inlet.clone());
            durability.watch_inputs::<W>();
        }
        let workflow = self.workflow.clone();
        let span = tracing::info_span!("workflow", workflow = W::NAME, run = %run_id);
        // Made before the task, so that a run cancelled before its task
        // first runs still says so on its stream, and so that the task
        // holds the context once. The ticket is taken here, so that runs
        // queue in the order they are started.
        let unfinished = Unfinished::new(ctx);
        let begin = (begin, journaling);
        let task = match &self.admission {
            None => tokio::spawn(run(workflow, unfinished, begin, timeout, ()).instrument(span)),
            Some(admission) => {
                let ticket = admission.ticket();
                tokio::spawn(run(workflow, unfinished, begin, timeout, ticket).instrument(span))
            }
        };
        WorkflowHandler::new(
            run_id,
            task,
            (subscription, inlet),
            self.durability.is_some(),
        )
    }
}

/// How a run begins: with its start event, or where a snapshot left it.
enum Beginning<W: Workflow> {
    Start(W::Start),
    /// Boxed: every run's task holds a `Beginning` until the run begins,
    /// and a resumed run's is far larger than a start event.
    Resume(Box<RestoredRun<W>>),
}

/// The task of one run: waits for its `turn`, runs, and publishes the
/// stream's last event however it ends.
///
/// A function returning an `async` block, not an `async fn`: the block
/// holds what it captures once, where an `async fn` would hold its
/// arguments and their moved copies both, in every run's task.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` would hold its arguments twice in every run's task"
)]
fn run<W: Workflow, T: Turn>(
    workflow: Arc<W>,
    mut unfinished: Unfinished<W>,
    begin: (Beginning<W>, Option<Box<Journaling>>),
    timeout: Option<Duration>,
    turn: T,
) -> impl Future<Output = Result<crate::Output<W>, WorkflowError>> + Send {
    async move {
        // Held until the task ends, after the run's last event.
        let _permit = turn.wait().await;
        let spans = StepSpans::default();
        let steps = Steps::new(&workflow, unfinished.held(), &spans);
        let outcome = AssertUnwindSafe(drive(steps, begin, timeout))
            .catch_unwind()
            .await;
        unfinished.finished();
        let output = outcome.unwrap_or_else(|payload| {
            let message = invocation_panic_message(&*payload);
            let last = terminal_event(&WorkflowError::RunPanicked { message });
            unfinished.ctx().publish_last(last);
            resume_unwind(payload)
        });
        // Dropped while the output is a local, which a panicking `Drop` in
        // the context would otherwise leak (see `drive`).
        drop(unfinished);
        output
    }
}

/// Runs to the end, publishes the stop event as the stream's last item (or
/// the event that says why the run ended without one), and yields the
/// run's output. An `async` block, as [`run`] is.
fn drive<W: Workflow>(
    steps: Steps<'_, W>,
    (begin, journaling): (Beginning<W>, Option<Box<Journaling>>),
    timeout: Option<Duration>,
) -> impl Future<Output = Result<crate::Output<W>, WorkflowError>> + Send {
    // Made before the block, which then holds the machine once rather
    // than both its parts and the machine.
    let ctx = steps.ctx;
    let mut machine = Machine::new(steps, journaling);
    match begin {
        Beginning::Start(start) => W::deliver(start, &mut machine),
        Beginning::Resume(run) => machine.restore(*run),
    }
    async move {
        // What the run awaits last, a durable run's end written to its
        // store, is made in a block of its own, so that nothing else is
        // held across it in every run's task.
        let ending = {
            let outcome = {
                let mut deadline = pin!(Deadline::new(timeout));
                poll_fn(|cx| {
                    // Runs of workflows that take no input never look for any.
                    if const { uses_input(W::STEPS) } && machine.has_incoming() {
                        machine.receive_incoming(cx);
                    }
                    let progress = machine.poll_run(cx, &deadline);
                    if progress.is_ready() {
                        return progress;
                    }
                    // Asked between two polls, where the run has gone as far as it
                    // can for now.
                    let channel = ctx.channel();
                    channel.register_for_requests(cx.waker());
                    if channel.asked()
                        && let Some(end) = answer(&mut machine, &deadline)
                    {
                        return Poll::Ready(Err(end));
                    }
                    // Before it may park: a run taken up past its deadline
                    // times out rather than parking again.
                    if deadline.as_mut().poll_passed(cx) {
                        return Poll::Ready(Err(WorkflowError::TimedOut {
                            after: timeout.unwrap_or_default(),
                            active_steps: machine.active_steps(),
                        }));
                    }
                    if const { uses_input(W::STEPS) } {
                        // What the caller sends wakes the run from here on.
                        if machine.receive_incoming(cx) {
                            cx.waker().wake_by_ref();
                        } else {
                            machine.note_idle();
                            // Written out to its store until input comes.
                            if machine.parks() {
                                return Poll::Ready(Err(WorkflowError::Suspended));
                            }
                        }
                    }
                    progress
                })
                .await
            };
            // What the run leaves goes before its end is published: the
            // invocations queued and running, and the events sent but not
            // routed. An event whose `Drop` panics there fails the run as a
            // panic, and unwinds past `outcome`, a local, which is dropped; from
            // the return value it would leak (rust-lang/rust#47949).
            let journaling = machine.take_journaling();
            drop(machine);
            ctx.discard_unrouted();
            let last = match &outcome {
                Ok(stop) => Some(stop.to_any_event()),
                // Its stream ends with the last event published before, and
                // the input no step took is in the snapshot.
                Err(WorkflowError::Suspended) => None,
                Err(error) => Some(terminal_event(error)),
            };
            let ended = Ended { outcome, last };
            // A durable run's end is in its store before anyone hears of it.
            match journaling {
                Some(journaling) => journaling.end(ctx, ended),
                None => return ended.publish(ctx),
            }
        };
        ending.await
    }
}

/// How a run ended, before anyone hears of it: its outcome, and the event
/// that ends its stream.
pub(crate) struct Ended<W: Workflow> {
    pub(crate) outcome: Result<W::Stop, WorkflowError>,
    pub(crate) last: Option<AnyEvent>,
}

impl<W: Workflow> Ended<W> {
    /// Tells the run's reports and its stream how it ended, and yields its
    /// output.
    pub(crate) fn publish(self, ctx: &Context<W>) -> Result<crate::Output<W>, WorkflowError> {
        let Self { outcome, last } = self;
        ctx.report(&Happening::RunEnded(outcome.as_ref().map(|_| ())));
        if let Some(last) = last {
            ctx.publish_last(last);
        }
        if !matches!(outcome, Err(WorkflowError::Suspended)) {
            let events = ctx.channel().unclaimed();
            if events > 0 {
                ctx.report(&Happening::InputUnclaimed { events });
            }
        }
        outcome.map(StopEventType::into_output)
    }
}

/// Answers the caller's requests (see [`Request`]); says whether one asked
/// for the run to end, and how.
#[cold]
fn answer<W: Workflow>(machine: &mut Machine<'_, W>, deadline: &Deadline) -> Option<WorkflowError> {
    let mut end = None;
    for request in machine.take_requests() {
        let (reply, ends) = match request {
            Request::Snapshot(reply) => (reply, false),
            Request::Suspend(reply) => (reply, true),
            Request::Cancel => {
                end = Some(WorkflowError::Cancelled);
                continue;
            }
        };
        let snapshot = machine.capture(deadline.left());
        // A run that could not be written down goes on.
        let ends = ends && snapshot.is_ok();
        if reply.send(snapshot).is_ok() && ends && end.is_none() {
            end = Some(WorkflowError::Suspended);
        }
    }
    end
}
