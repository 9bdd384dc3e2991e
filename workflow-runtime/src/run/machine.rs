//! The state machine of one run: which invocations are queued, which are
//! running, and what ends the run.
//!
//! Everything here runs on the run's own task. A step's future is polled
//! once as soon as it is created, so a step that finishes without waiting is
//! routed straight away, with no allocation beyond its boxed future and no
//! lock; only steps that really wait go into the set of running futures,
//! which is created when the first one does.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use workflow_model::{__private::catcher_of, AnyEvent, Event, WorkflowError, observe::RunIdle};

use crate::answers::Answers;
use crate::check::takes_input;
use crate::context::Routed;
use crate::control::Request;
use crate::durable::Journaling;
use crate::emit::Emit;
use crate::inbox;
use crate::recover::Failed;
use crate::report::Happening;
use crate::run::deadline::Deadline;
use crate::run::fan::{Branch, BranchTag, Done, Fans, accepted_singly, gathered};
use crate::run::invocation::{Failure, Finished, Invocation, Steps};
use crate::run::ready::ReadyQueue;
use crate::run::slice::TimeSlice;
use crate::snapshotting::capture::Capture;
use crate::snapshotting::restore::RestoredRun;
use crate::workflow::{Sink, Workflow};
use workflow_model::snapshot::{Collected, FanOut, RunSnapshot, SnapshotError, Unclaimed};

mod journaled;

/// The queued and running invocations of one step, and how many failures
/// it has recovered from. Small, as every run has one per step: the step's
/// limit is read from its `StepInfo`, and the queue of invocations over it
/// is made when one first waits there.
struct Slot<W: Workflow> {
    running: u32,
    recovered: u32,
    #[expect(
        clippy::box_collection,
        reason = "one word in every slot, where a `VecDeque` would take four"
    )]
    waiting: Option<Box<VecDeque<Waiting<W>>>>,
}

/// An invocation queued over its step's limit: its branch and its event.
type Waiting<W> = (<W as Workflow>::Branch, <W as Workflow>::Pending);

impl<W: Workflow> Slot<W> {
    const EMPTY: Self = Self {
        running: 0,
        recovered: 0,
        waiting: None,
    };

    /// Queues an invocation of the step over its limit.
    fn wait(&mut self, tag: W::Branch, pending: W::Pending) {
        self.waiting
            .get_or_insert_default()
            .push_back((tag, pending));
    }

    /// The oldest invocation waiting, if any.
    fn next_waiting(&mut self) -> Option<Waiting<W>> {
        self.waiting.as_mut()?.pop_front()
    }

    /// The invocations waiting, oldest first.
    fn waiting(&self) -> impl Iterator<Item = &Waiting<W>> {
        self.waiting.iter().flat_map(|waiting| waiting.iter())
    }
}

/// An invocation ready to start: its step's index, its branch, its event.
type Ready<W> = ((usize, <W as Workflow>::Branch), <W as Workflow>::Pending);

pub(crate) struct Machine<'a, W: Workflow> {
    /// The workflow and the run's context (`ctx`).
    steps: Steps<'a, W>,
    slots: Box<[Slot<W>]>,
    ready: ReadyQueue<Ready<W>>,
    /// The invocations that are waiting; `None` until one has waited.
    running: Option<FuturesUnordered<Invocation<'a, W>>>,
    stop: Option<W::Stop>,
    /// The step whose output is being routed, for errors and fan-outs.
    last_step: u32,
    /// The run's fan-outs; `None` until a step fans out.
    fans: Option<Box<Fans>>,
    /// Whether the run waits for its stream's reader when the stream is
    /// full ([`WhenFull::Wait`](crate::WhenFull::Wait)).
    waits_for_reader: bool,
    /// The records of the invocations a snapshot held in flight, by step,
    /// until they start again.
    resumed: Vec<(usize, Arc<Answers>)>,
    /// What writes a durable run's records; `None` for other runs.
    journaling: Option<Box<Journaling>>,
}

impl<'a, W: Workflow> Machine<'a, W> {
    pub(crate) fn new(steps: Steps<'a, W>, journaling: Option<Box<Journaling>>) -> Self {
        let waits_for_reader = steps.ctx.channel().waits_when_full();
        let slots = W::STEPS.iter().map(|_| Slot::EMPTY).collect();
        Self {
            steps,
            slots,
            ready: ReadyQueue::new(),
            running: None,
            stop: None,
            last_step: 0,
            fans: None,
            waits_for_reader,
            resumed: Vec::new(),
            journaling,
        }
    }

    /// Runs until a step produces a stop event or fails, or until nothing is
    /// left to run.
    pub(crate) fn poll_run(
        &mut self,
        cx: &mut TaskContext<'_>,
        deadline: &Deadline,
    ) -> Poll<Result<W::Stop, WorkflowError>> {
        // A long chain of steps that never wait must not starve the other
        // tasks of this thread.
        let mut slice = TimeSlice::new();
        loop {
            if self.stream_full(cx) {
                return Poll::Pending;
            }
            // A durable run starts an invocation only once what queued it
            // is in the store.
            let may_start = self.journaling.is_none() || self.journal(cx, deadline)?;
            let mut progressed = false;
            while may_start && let Some((at, pending)) = self.ready.pop_front() {
                progressed = true;
                let mut invocation = self.start(at, pending);
                let finished = match Pin::new(&mut invocation).poll(cx) {
                    Poll::Ready(finished) => {
                        self.finish(finished)?;
                        true
                    }
                    Poll::Pending => {
                        self.running
                            .get_or_insert_with(FuturesUnordered::new)
                            .push(invocation);
                        false
                    }
                };
                if let Some(stop) = self.stop.take() {
                    return Poll::Ready(Ok(stop));
                }
                if finished && self.journaling.is_some() {
                    break;
                }
                if slice.spend() {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                if self.stream_full(cx) {
                    return Poll::Pending;
                }
            }
            while let Some(Poll::Ready(Some(finished))) = self
                .running
                .as_mut()
                .map(|running| running.poll_next_unpin(cx))
            {
                progressed = true;
                self.finish(finished)?;
                if let Some(stop) = self.stop.take() {
                    return Poll::Ready(Ok(stop));
                }
                if !self.ready.is_empty() {
                    break;
                }
            }
            if self.route_sent() {
                progressed = true;
                if let Some(stop) = self.stop.take() {
                    return Poll::Ready(Ok(stop));
                }
            }
            if !progressed {
                if self.journal_due() {
                    continue;
                }
                // A run that takes input waits for its caller instead, and
                // a durable one for its store.
                if self.running.as_ref().is_none_or(FuturesUnordered::is_empty)
                    && self.ready.is_empty()
                    && !const { takes_input(W::STEPS) }
                {
                    if self.steps.ctx.watcher().is_some() {
                        let idle = RunIdle {
                            waiting: Vec::new(),
                        };
                        self.steps.ctx.report(&Happening::RunIdle(&idle));
                    }
                    return Poll::Ready(Err(WorkflowError::Stalled {
                        last_step: W::STEPS[self.last_step as usize].name,
                    }));
                }
                return Poll::Pending;
            }
            if let Some(watcher) = self.steps.ctx.watcher() {
                watcher.went_on();
            }
        }
    }

    /// Whether the run has to wait for its stream's reader before it polls
    /// its steps again; if so, the reader wakes it once there is room.
    fn stream_full(&self, cx: &TaskContext<'_>) -> bool {
        self.waits_for_reader && self.steps.ctx.channel().poll_room(cx).is_pending()
    }

    /// The requests of the run's caller waiting, oldest first.
    pub(crate) fn take_requests(&self) -> Vec<Request> {
        self.steps.ctx.channel().take_requests()
    }

    /// Whether the run's inbox has something for it to look at; no lock.
    pub(crate) fn has_incoming(&self) -> bool {
        self.steps.ctx.channel().has_incoming()
    }

    /// Looks at what the run's caller sent and the waits for it (see
    /// [`inbox::receive`]), and remembers the run's task to wake when more
    /// comes; says whether there was anything.
    pub(crate) fn receive_incoming(&mut self, cx: &TaskContext<'_>) -> bool {
        let Some(taken) = inbox::receive(self.steps.ctx, cx.waker()) else {
            return false;
        };
        self.changed();
        // A step that took an event goes on, though it may wait again.
        if let Some(watcher) = self.steps.ctx.watcher().filter(|_| taken > 0) {
            watcher.went_on();
        }
        true
    }

    /// Reports [`RunIdle`], once until the run goes on, if a report of the
    /// run follows steps and the run has nothing to do but wait for input:
    /// every invocation that runs waits for an event from the caller, or
    /// none runs and steps accept input.
    pub(crate) fn note_idle(&self) {
        let Some(watcher) = self
            .steps
            .ctx
            .watcher()
            .filter(|watcher| !watcher.told_idle())
        else {
            return;
        };
        let Some(steps) = self.idle_waiting() else {
            return;
        };
        watcher.tell_idle();
        let waiting = steps
            .into_iter()
            .map(|step| W::STEPS[step].name.to_owned())
            .collect();
        self.steps
            .ctx
            .report(&Happening::RunIdle(&RunIdle { waiting }));
    }

    /// Whether the run is idle: nothing is ready to start, and every
    /// invocation that runs waits for an event from the caller, or none
    /// runs and steps accept input.
    pub(crate) fn is_idle(&self) -> bool {
        self.ready.is_empty() && self.idle_waiting().is_some()
    }

    /// The steps that wait for input, if every invocation that runs does,
    /// or none runs and steps accept input.
    fn idle_waiting(&self) -> Option<Vec<usize>> {
        let live = self.running.as_ref().map_or(0, FuturesUnordered::len);
        let (steps, waiting) = self.steps.ctx.channel().inbox().waiting();
        let idle = waiting >= live && (live > 0 || const { takes_input(W::STEPS) });
        idle.then_some(steps)
    }

    /// Starts an invocation of the step at index `step`, watched if a
    /// report of the run follows steps.
    fn start(&mut self, at: (usize, W::Branch), pending: W::Pending) -> Invocation<'a, W> {
        let resumed = if self.resumed.is_empty() {
            None
        } else {
            self.resumed_record(at.0)
        };
        match self.steps.ctx.watcher() {
            None => Invocation::start(&self.steps, at, pending, resumed),
            Some(watcher) => Invocation::watched(&self.steps, watcher, at, pending, resumed),
        }
    }

    /// The record a snapshot held of the next invocation of the step at
    /// index `step` to start, if it was in flight there: invocations of a
    /// step start in the order they were queued, and a snapshot's in flight
    /// are queued first.
    #[cold]
    fn resumed_record(&mut self, step: usize) -> Option<Arc<Answers>> {
        let nth = self.resumed.iter().position(|(of, _)| *of == step)?;
        Some(self.resumed.remove(nth).1)
    }

    /// The steps with an invocation running, each named once.
    pub(crate) fn active_steps(&self) -> Vec<&'static str> {
        W::STEPS
            .iter()
            .zip(self.slots.iter())
            .filter(|(_, slot)| slot.running > 0)
            .map(|(step, _)| step.name)
            .collect()
    }

    fn finish(&mut self, (step, tag, event, result): Finished<W>) -> Result<(), WorkflowError> {
        self.changed();
        let branch = tag.branch();
        let slot = &mut self.slots[step];
        slot.running -= 1;
        if let Some((waiting, pending)) = slot.next_waiting() {
            // Still in the branch it was queued in.
            slot.running += 1;
            self.ready.push_back(((step, waiting), pending));
        }
        let info = &W::STEPS[step];
        self.last_step = step as u32;
        match result {
            Ok(produced) => {
                // What the step sent came before what it returned, both in
                // the step's branch.
                self.set_branch(branch);
                self.route_sent();
                W::route(produced, self);
                if let Some(watcher) = self.steps.ctx.watcher() {
                    let finished = watcher.take_completed().finished(info, event);
                    self.steps.ctx.report(&Happening::StepFinished(&finished));
                }
            }
            Err(failure) => {
                self.set_branch(branch);
                self.recover_or_fail(step, event, failure)?;
            }
        }
        self.set_branch(Branch::NONE);
        if branch != Branch::NONE {
            let done = self.fans_mut().end_live(branch, W::STEPS);
            self.close_groups(done);
        }
        Ok(())
    }

    /// Where the events being routed belong.
    fn branch(&self) -> Branch {
        self.fans.as_ref().map_or(Branch::NONE, |fans| fans.current)
    }

    /// Routes what follows as events of `branch`.
    fn set_branch(&mut self, branch: Branch) {
        if let Some(fans) = &mut self.fans {
            fans.current = branch;
        }
    }

    fn fans_mut(&mut self) -> &mut Fans {
        self.fans.get_or_insert_default()
    }

    /// Queues the gathering steps of each group that is done, in the branch
    /// of its fan-out, and closes the groups that are done in turn.
    fn close_groups(&mut self, mut done: Option<Done>) {
        while let Some(group) = done {
            self.set_branch(group.parent);
            for (step, events) in group.gathers {
                let pending = W::gather(step, events);
                self.enqueue(step, pending);
            }
            self.set_branch(Branch::NONE);
            // The fan-out itself was live in its branch.
            done = self.fans_mut().end_live(group.parent, W::STEPS);
        }
    }

    /// After the step at index `step` failed, once its
    /// [`StepFailed`](crate::observe::StepFailed) is reported if a report of
    /// the run follows steps: hands the failure to the step that catches
    /// it, if one does and may still recover, or gives the error that ends
    /// the run.
    #[cold]
    fn recover_or_fail(
        &mut self,
        step: usize,
        event: &'static str,
        failure: Failure,
    ) -> Result<(), WorkflowError> {
        let info = &W::STEPS[step];
        if let Some(watcher) = self.steps.ctx.watcher() {
            let failed = watcher
                .take_completed()
                .failed(info, event, format!("{failure:#}"));
            self.steps.ctx.report(&Happening::StepFailed(&failed));
        }
        let failed = Failed::of(failure);
        let Some(catcher) = self.catcher(step) else {
            return Err(failed.into_error(info, event));
        };
        self.slots[catcher].recovered += 1;
        let failed = failed.into_event(info, event);
        self.steps.ctx.report(&Happening::Recovering {
            step: info.name,
            catcher: W::STEPS[catcher].name,
            error: &failed.error,
        });
        if W::deliver_to(catcher, failed, self).is_err() {
            unreachable!("the compile-time checks make a catching step accept StepFailedEvent");
        }
        Ok(())
    }

    /// The step that catches the failures of the step at index `failed`, if
    /// it may still recover in this run.
    fn catcher(&self, failed: usize) -> Option<usize> {
        catcher_of(W::STEPS, failed)
            .filter(|&catcher| self.slots[catcher].recovered < W::STEPS[catcher].max_recoveries)
    }

    /// Writes the run down (see [`RunSnapshot`]), with `timeout_left` on
    /// its timeout. What steps sent is routed first, so that it is queued.
    pub(crate) fn capture(
        &mut self,
        timeout_left: Option<Duration>,
    ) -> Result<RunSnapshot, SnapshotError> {
        self.route_sent();
        let ctx = self.steps.ctx;
        // Read under one lock: the inputs counted are those the snapshot
        // holds, in its inbox or as the answers of its waits, those handed
        // over but not taken yet among them.
        let (unclaimed, inputs_through, handed) = {
            let inbox = ctx.channel().inbox();
            let unclaimed: Vec<_> = inbox
                .unclaimed()
                .into_iter()
                .map(|(to, event, kept)| (to, event.clone(), kept))
                .collect();
            (unclaimed, inbox.inputs_through(), inbox.handed())
        };
        let mut capture = Capture::<W>::new(ctx.run_id(), handed);
        // How many invocations each fan-out group has in its branches.
        let mut in_group: HashMap<u32, usize> = HashMap::new();
        let mut count = |branch: Branch| {
            if let Some(group) = branch.group() {
                *in_group.entry(group).or_default() += 1;
            }
        };
        if let Some(running) = &self.running {
            for invocation in Pin::new(running).iter_pin_ref() {
                let (pending, tag, answers) = invocation.get_ref().input();
                count(tag.branch());
                let in_flight = capture.in_flight(pending, tag.branch(), answers)?;
                capture.snapshot.in_flight.push(in_flight);
            }
        }
        // Resumed invocations not started yet are still in flight, with
        // what their records hold: the first ones queued of their step.
        let mut resumed: Vec<(usize, &Answers)> = self
            .resumed
            .iter()
            .map(|(step, answers)| (*step, &**answers))
            .collect();
        let ready = self.ready.iter().map(|((_, tag), pending)| (tag, pending));
        let waiting = self
            .slots
            .iter()
            .flat_map(|slot| slot.waiting().map(|(tag, pending)| (tag, pending)));
        for (tag, pending) in ready.chain(waiting) {
            count(tag.branch());
            let step = W::pending_events(pending).0;
            match resumed.iter().position(|(of, _)| *of == step) {
                Some(nth) => {
                    let answers = resumed.remove(nth).1;
                    let in_flight = capture.in_flight(pending, tag.branch(), Some(answers))?;
                    capture.snapshot.in_flight.push(in_flight);
                }
                None => {
                    let queued = capture.invocation(pending, tag.branch())?;
                    capture.snapshot.queued.push(queued);
                }
            }
        }
        for (step, slot) in W::STEPS.iter().zip(self.slots.iter()) {
            if slot.recovered > 0 {
                capture
                    .snapshot
                    .recoveries
                    .insert(step.name.to_owned(), slot.recovered);
            }
        }
        if let Some(fans) = &self.fans {
            let (next_group, groups) = fans.snapshot();
            capture.snapshot.fan_outs.next_group = next_group;
            for group in groups {
                let gathered = group
                    .gathered
                    .iter()
                    .map(|(index, event)| Ok((*index, capture.event(event)?)))
                    .collect::<Result<_, SnapshotError>>()?;
                let invocations = in_group.get(&group.id).copied().unwrap_or(0);
                capture.snapshot.fan_outs.groups.push(FanOut {
                    group: group.id,
                    from: W::STEPS[group.from].name.to_owned(),
                    parent: group.parent.raw(),
                    nested: group.live - invocations,
                    gathered,
                });
            }
        }
        for (step, events) in ctx.collector().snapshot() {
            let events = capture.events(&events)?;
            let step = W::STEPS[step].name.to_owned();
            capture.snapshot.collected.push(Collected { step, events });
        }
        capture.snapshot.inputs_through = inputs_through;
        for (to, event, kept) in unclaimed {
            let event = capture.event(&event)?;
            capture.snapshot.inbox.push(Unclaimed {
                to: to.map(|step| W::STEPS[step].name.to_owned()),
                event,
                kept,
            });
        }
        capture.state(&ctx.state().lock())?;
        capture.snapshot.timeout_left = timeout_left;
        capture.snapshot.next_sequence = ctx.channel().next_sequence();
        Ok(capture.snapshot)
    }

    /// Takes up the invocations, fan-outs and recoveries of a snapshot.
    pub(crate) fn restore(&mut self, run: RestoredRun<W>) {
        self.fans = run.fans.map(Box::new);
        for (step, recovered) in run.recoveries {
            self.slots[step].recovered = recovered;
        }
        for resumed in run.invocations {
            if let Some(answers) = resumed.answers {
                self.resumed.push((resumed.step, answers));
            }
            self.set_branch(resumed.branch);
            self.enqueue(resumed.step, resumed.pending);
        }
        self.set_branch(Branch::NONE);
    }

    /// Routes what steps sent through their contexts; says whether there was
    /// anything.
    fn route_sent(&mut self) -> bool {
        let Some(sent) = self.steps.ctx.take_sent() else {
            return false;
        };
        self.changed();
        for routed in sent {
            match routed {
                Routed::Invoke(step, pending) => self.enqueue(step, pending),
                Routed::Stop(stop) => self.stop(stop),
                Routed::Gather(key, event) => self.gather(key, event),
            }
        }
        true
    }
}

impl<W: Workflow> Sink<W> for Machine<'_, W> {
    #[inline]
    fn deliver<E: Event>(&mut self, event: E) {
        // A type that steps both gather and take one at a time goes to
        // both; one that is only gathered reaches `gather` through routing.
        if const { gathered(W::STEPS, &E::INFO) && accepted_singly(W::STEPS, &E::INFO) }
            && self.branch() != Branch::NONE
        {
            self.gather(E::KEY, AnyEvent::new(event.clone()));
        }
        if let Some(watcher) = self.steps.ctx.watcher() {
            watcher.returned(E::NAME);
        }
        W::deliver(event, self);
    }

    #[inline]
    fn enqueue(&mut self, step: usize, pending: W::Pending) {
        let branch = self.branch();
        if branch != Branch::NONE {
            self.fans_mut().add_live(branch);
        }
        let tag = W::Branch::of(branch);
        let slot = &mut self.slots[step];
        // `running` counts to `u32::MAX` at most.
        let limit = W::STEPS[step].num_workers.min(u32::MAX as usize);
        if (slot.running as usize) < limit {
            slot.running += 1;
            self.ready.push_back(((step, tag), pending));
        } else {
            slot.wait(tag, pending);
        }
    }

    fn gather(&mut self, key: &'static str, event: AnyEvent) {
        if self.branch() == Branch::NONE {
            self.steps.ctx.report(&Happening::Ungathered {
                event: event.name(),
            });
            self.steps.ctx.publish(event);
            return;
        }
        self.fans_mut().gather(key, event);
    }

    fn fan_out<T: Emit>(&mut self, items: Vec<T>) {
        let from = self.last_step as usize;
        let group = self.fans_mut().open(from);
        let parent = self.branch();
        for (index, item) in items.into_iter().enumerate() {
            self.set_branch(Fans::branch(group, index));
            item.emit::<W, Self>(self);
        }
        self.set_branch(parent);
        let done = self.fans_mut().close_if_idle(group, W::STEPS);
        self.close_groups(done);
        self.set_branch(parent);
    }

    fn stop(&mut self, stop: W::Stop) {
        // The first stop event ends the run; any later one in the same batch
        // is dropped with the rest of the run.
        self.stop.get_or_insert(stop);
    }

    fn outbound(&mut self, event: AnyEvent) {
        self.steps.ctx.publish(event);
    }
}
