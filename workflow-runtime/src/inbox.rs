//! Events a run's caller sends in while the run goes on
//! ([`WorkflowHandler::send_event`](crate::WorkflowHandler::send_event)).
//!
//! The caller only queues what it sends, up to the run's inbox limit. The
//! run's own task then hands each event to every waiting step
//! ([`StepContext::wait_for_event`](crate::StepContext::wait_for_event))
//! whose filter it passes, else to the steps that accept its type, else
//! keeps it for a step that waits for one later. Filters run there, outside
//! every lock, on what the run took out of the inbox: a slow filter holds
//! up no send and no step's writes, and a panicking one fails the step that
//! waits, as a panic of the step would.
//!
//! The inbox lives beside the event stream, in the one allocation a run
//! shares with its caller; it holds events type-erased, each with the
//! function that routes it to the steps, made where its type was known.

use std::any::{Any, TypeId};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

use tokio::sync::oneshot;
use workflow_model::{AnyEvent, Event, SendError};

use crate::context::Context;
use crate::control::Request;
use crate::report::Happening;
use crate::route::takes_singly;
use crate::run::fan::accepted_singly;
use crate::run::invocation_panic_message;
use crate::workflow::Workflow;

/// How many events that no step has taken yet a run's inbox holds unless
/// configured otherwise ([`Runner::inbox_limit`](crate::Runner::inbox_limit)).
///
/// ```
/// use typed_workflows::DEFAULT_INBOX_LIMIT;
/// # use typed_workflows::prelude::*;
/// # use typed_workflows::HumanResponseEvent;
/// # struct Ask;
/// # #[workflow_impl]
/// # impl Ask {
/// #     #[step(waits_for(HumanResponseEvent))]
/// #     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
/// #         Ok(StopEvent::new(ctx.wait_for_event::<HumanResponseEvent>().await?.response))
/// #     }
/// # }
///
/// assert_eq!(DEFAULT_INBOX_LIMIT, 1024);
/// // A runner for a workflow whose caller may send in bursts:
/// let runner = Ask.runner().inbox_limit(4 * DEFAULT_INBOX_LIMIT);
/// # drop(runner);
/// ```
pub const DEFAULT_INBOX_LIMIT: usize = 1024;

pub(crate) struct Inbox {
    /// Events the caller sent, in order, until the run looks at them.
    arrived: Vec<Sent>,
    /// The waits under way, in the order they began.
    waiters: Vec<Waiter>,
    /// Events that no step took, kept for a step that waits later.
    unclaimed: Vec<Sent>,
    /// How many events were sent that no step has taken yet: those that
    /// arrived, those kept, and those the run is looking at.
    held: usize,
    /// The most `held` may be.
    limit: usize,
    /// Whether the run is looking at what it took out: a wait that begins
    /// meanwhile has it look again.
    looking: bool,
    next_id: u64,
    /// The store's sequence number of the last input of a durable run that
    /// came in through the store ([`Runner::send_input`](crate::Runner::send_input)).
    inputs_through: u64,
    /// The events handed to waits whose steps have not taken them yet: a
    /// snapshot taken meanwhile holds them as those waits' answers.
    handed: Vec<Handed>,
    /// The run's task, woken when there is something for it to look at.
    run: Option<Waker>,
    /// What the caller asked of the run, oldest first (see
    /// [`control`](crate::control)).
    requests: Vec<Request>,
}

/// An event the caller sent.
pub(crate) struct Sent {
    event: AnyEvent,
    event_type: TypeId,
    /// The step it was sent to alone, if it was
    /// ([`WorkflowHandler::send_event_to`](crate::WorkflowHandler::send_event_to)).
    to: Option<usize>,
    /// A [`RouteFn`] of the run's workflow, if a step it goes to accepts
    /// its type.
    route: Option<&'static (dyn Any + Send + Sync)>,
}

/// Routes an event the caller sent to the steps that accept it, or to the
/// one step it was sent to.
type RouteFn<W> = fn(AnyEvent, Option<usize>, &Context<W>);

/// A step waiting for an event of one type that passes its filter.
struct Waiter {
    id: u64,
    event_type: TypeId,
    step: usize,
    /// Tells the waits of one invocation apart from those of others.
    invocation: usize,
    /// The wait's place among the invocation's waits.
    nth: usize,
    /// Whether the run has not looked at it yet: kept events may suit it.
    fresh: bool,
    /// Whether the wait has a timeout, counted in this process: a durable
    /// run does not park while one does.
    timed: bool,
    wants: Box<dyn Fn(&AnyEvent) -> bool + Send>,
    reply: oneshot::Sender<Reply>,
}

/// An event handed to a wait that its step has not taken yet.
struct Handed {
    /// The wait's id.
    id: u64,
    /// Its invocation, and its place among the invocation's waits.
    invocation: usize,
    nth: usize,
    event: AnyEvent,
}

/// What a wait gets: its event, or the message of its filter's panic.
pub(crate) type Reply = Result<AnyEvent, String>;

/// What the run took out of the inbox to look at, outside its lock.
pub(crate) struct Look {
    kept: Vec<Sent>,
    arrived: Vec<Sent>,
    waiters: Vec<Waiter>,
}

/// What a look left: what goes back into the inbox, and what the run
/// routes.
pub(crate) struct Looked {
    waiters: Vec<Waiter>,
    kept: Vec<Sent>,
    /// How many events steps took.
    taken: usize,
    route: Vec<Sent>,
    handed: Vec<Handed>,
}

impl Sent {
    /// `event`, read back from a record, for the steps of `W` that take an
    /// event of its name, or for the step at index `to` alone.
    pub(crate) fn restored<W: Workflow>(event: AnyEvent, to: Option<usize>) -> Self {
        let routed = match to {
            Some(step) => takers::<W>(event.name()).contains(&step),
            None => !takers::<W>(event.name()).is_empty(),
        };
        let route: &'static (dyn Any + Send + Sync) =
            const { &(route_restored::<W> as RouteFn<W>) };
        Self {
            event_type: event.type_id(),
            event,
            to,
            route: routed.then_some(route),
        }
    }

    /// `event` for the steps of `W`, or for the step at index `to` alone.
    pub(crate) fn new<W: Workflow, E: Event>(event: E, to: Option<usize>) -> Self {
        let accepted = match to {
            None => const { accepted_singly(W::STEPS, &E::INFO) },
            Some(step) => takes_singly(&W::STEPS[step], &E::INFO),
        };
        let route: &'static (dyn Any + Send + Sync) = const { &(route::<W, E> as RouteFn<W>) };
        Self {
            event: AnyEvent::new(event),
            event_type: TypeId::of::<E>(),
            to,
            route: accepted.then_some(route),
        }
    }
}

impl Inbox {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            arrived: Vec::new(),
            waiters: Vec::new(),
            unclaimed: Vec::new(),
            held: 0,
            limit,
            looking: false,
            next_id: 0,
            inputs_through: 0,
            handed: Vec::new(),
            run: None,
            requests: Vec::new(),
        }
    }

    /// Queues `request` for the run.
    pub(crate) fn ask(&mut self, request: Request) {
        self.requests.push(request);
    }

    /// The requests waiting, oldest first.
    pub(crate) fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// Whether a wait under way has a timeout.
    pub(crate) fn has_timed_waits(&self) -> bool {
        self.waiters.iter().any(|waiter| waiter.timed)
    }

    /// Whether requests wait.
    pub(crate) fn has_requests(&self) -> bool {
        !self.requests.is_empty()
    }

    /// Queues `sent` for the run to look at, and gives the run's task to
    /// wake.
    ///
    /// # Errors
    ///
    /// [`SendError::InboxFull`] if the inbox holds its limit of events that
    /// no step has taken yet.
    pub(crate) fn send(&mut self, sent: Sent) -> Result<Option<Waker>, SendError> {
        if self.held >= self.limit {
            return Err(SendError::InboxFull {
                event: sent.event.name(),
                limit: self.limit,
            });
        }
        self.held += 1;
        self.arrived.push(sent);
        Ok(self.run.take())
    }

    /// Queues the store's inputs of `inputs`, each with its sequence
    /// number, in order, for the run, as [`send`](Self::send) does but
    /// past the limit (the store holds them already): those the run holds
    /// already are left out, and the others must follow on from them with
    /// no gap, which the store's unconsumed inputs, read after the last
    /// was recorded, do.
    pub(crate) fn send_stored(&mut self, inputs: Vec<(u64, Sent)>) -> Option<Waker> {
        for (seq, sent) in inputs {
            if seq <= self.inputs_through {
                continue;
            }
            debug_assert_eq!(seq, self.inputs_through + 1, "inputs come in order");
            self.held += 1;
            self.arrived.push(sent);
            self.inputs_through = seq;
        }
        self.run.take()
    }

    /// The store's sequence number of the last input that came in through
    /// it, 0 if none did.
    pub(crate) fn inputs_through(&self) -> u64 {
        self.inputs_through
    }

    /// Whether no event the caller sent waits to be looked at.
    pub(crate) fn nothing_arrived(&self) -> bool {
        self.arrived.is_empty()
    }

    /// Begins a wait of the step at index `step`, in the invocation
    /// `invocation`, for an `E` that `wants` accepts; says whether the run
    /// should look at the inbox, as a kept event may suit the wait.
    pub(crate) fn wait_for<E: Event>(
        &mut self,
        step: usize,
        (invocation, nth): (usize, usize),
        timed: bool,
        wants: impl Fn(&E) -> bool + Send + 'static,
    ) -> (u64, oneshot::Receiver<Reply>, Option<Waker>) {
        let (reply, receiver) = oneshot::channel();
        let id = self.next_id;
        self.next_id += 1;
        self.waiters.push(Waiter {
            id,
            event_type: TypeId::of::<E>(),
            step,
            invocation,
            nth,
            fresh: true,
            timed,
            wants: Box::new(move |event| event.downcast_ref::<E>().is_some_and(&wants)),
            reply,
        });
        let look = self.looking || !self.unclaimed.is_empty();
        (id, receiver, look.then(|| self.run.take()).flatten())
    }

    /// The events of type `E` the caller sent that the step at index
    /// `step` could take, kept or not looked at yet: copies, for a wait
    /// about to begin to look at outside the lock.
    pub(crate) fn held_for<E: Event>(&self, step: usize) -> Vec<AnyEvent> {
        self.unclaimed
            .iter()
            .chain(&self.arrived)
            .filter(|sent| sent.event_type == TypeId::of::<E>())
            .filter(|sent| sent.to.is_none_or(|to| to == step))
            .map(|sent| sent.event.clone())
            .collect()
    }

    /// Ends the wait `id`, which is no longer awaited, whether its step
    /// took what it was handed or not.
    pub(crate) fn stop_waiting(&mut self, id: u64) {
        if let Some(index) = self.waiters.iter().position(|waiter| waiter.id == id) {
            self.waiters.remove(index);
        }
        self.handed.retain(|handed| handed.id != id);
    }

    /// The events handed to waits whose steps have not taken them yet: for
    /// each, the wait's invocation and place among its waits, and a copy.
    pub(crate) fn handed(&self) -> Vec<(usize, usize, AnyEvent)> {
        self.handed
            .iter()
            .map(|handed| (handed.invocation, handed.nth, handed.event.clone()))
            .collect()
    }

    /// Takes out what the run has to look at, if anything: the events that
    /// arrived, the waits under way, and the kept events if a wait is new.
    /// Remembers `run` to wake otherwise.
    pub(crate) fn take_look(&mut self, run: &Waker) -> Option<Look> {
        let fresh = self.waiters.iter().any(|waiter| waiter.fresh);
        if self.arrived.is_empty() && (!fresh || self.unclaimed.is_empty()) {
            if !self.run.as_ref().is_some_and(|known| known.will_wake(run)) {
                self.run = Some(run.clone());
            }
            return None;
        }
        self.looking = true;
        Some(Look {
            kept: if fresh {
                std::mem::take(&mut self.unclaimed)
            } else {
                Vec::new()
            },
            arrived: std::mem::take(&mut self.arrived),
            waiters: std::mem::take(&mut self.waiters),
        })
    }

    /// Puts back what a look left, and gives the events to route.
    pub(crate) fn put_back(&mut self, looked: Looked) -> Vec<Sent> {
        let Looked {
            mut waiters,
            kept,
            taken,
            route,
            mut handed,
        } = looked;
        self.handed.append(&mut handed);
        // Waits that began meanwhile come after, still fresh.
        waiters.append(&mut self.waiters);
        waiters.retain(|waiter| !waiter.reply.is_closed());
        self.waiters = waiters;
        self.unclaimed.extend(kept);
        self.held -= taken;
        self.looking = false;
        route
    }

    /// The steps whose invocations wait, each named once in the order of
    /// the steps, and how many invocations wait.
    pub(crate) fn waiting(&self) -> (Vec<usize>, usize) {
        let mut steps: Vec<usize> = self.waiters.iter().map(|waiter| waiter.step).collect();
        steps.sort_unstable();
        steps.dedup();
        let mut invocations: Vec<usize> = self
            .waiters
            .iter()
            .map(|waiter| waiter.invocation)
            .collect();
        invocations.sort_unstable();
        invocations.dedup();
        (steps, invocations.len())
    }

    /// How many events were sent that no step has taken yet.
    pub(crate) fn held(&self) -> usize {
        self.held
    }

    /// What the inbox holds: the events no step has taken yet and the
    /// waits under way.
    pub(crate) fn size(&self) -> usize {
        self.held + self.waiters.len()
    }
}

impl Look {
    /// Hands each event to every wait it suits, on the run's task and
    /// outside the inbox's lock; says what is left.
    pub(crate) fn resolve(self) -> Looked {
        let Look {
            kept,
            arrived,
            waiters,
        } = self;
        let mut waiters: Vec<Option<Waiter>> = waiters.into_iter().map(Some).collect();
        let mut looked = Looked {
            waiters: Vec::new(),
            kept: Vec::new(),
            taken: 0,
            route: Vec::new(),
            handed: Vec::new(),
        };
        let kept = kept.into_iter().map(|sent| (sent, true));
        for (sent, was_kept) in kept.chain(arrived.into_iter().map(|sent| (sent, false))) {
            let Some(sent) = hand_to_waiters(&mut waiters, sent, was_kept, &mut looked.handed)
            else {
                looked.taken += 1;
                continue;
            };
            if !was_kept && sent.route.is_some() {
                looked.taken += 1;
                looked.route.push(sent);
            } else {
                looked.kept.push(sent);
            }
        }
        looked.waiters = waiters
            .into_iter()
            .flatten()
            .map(|waiter| Waiter {
                fresh: false,
                ..waiter
            })
            .collect();
        looked
    }
}

/// Gives `sent` to every wait it suits (only to new ones if it was kept);
/// gives it back if none took it.
fn hand_to_waiters(
    waiters: &mut [Option<Waiter>],
    sent: Sent,
    was_kept: bool,
    handed: &mut Vec<Handed>,
) -> Option<Sent> {
    let mut takers = Vec::new();
    for (index, slot) in waiters.iter_mut().enumerate() {
        let Some(waiter) = slot else { continue };
        if waiter.event_type != sent.event_type
            || sent.to.is_some_and(|step| step != waiter.step)
            || (was_kept && !waiter.fresh)
            || waiter.reply.is_closed()
        {
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| (waiter.wants)(&sent.event))) {
            Ok(true) => takers.push(index),
            Ok(false) => {}
            Err(payload) => {
                let message = format!(
                    "the filter of its wait for `{}` panicked: {}",
                    sent.event.name(),
                    invocation_panic_message(&*payload)
                );
                if let Some(waiter) = slot.take() {
                    let _ = waiter.reply.send(Err(message));
                }
            }
        }
    }
    let Some((&last, others)) = takers.split_last() else {
        return Some(sent);
    };
    let mut answered = false;
    for &index in others {
        if let Some(waiter) = waiters[index].take() {
            let record = Handed::to(&waiter, sent.event.clone());
            if waiter.reply.send(Ok(sent.event.clone())).is_ok() {
                answered = true;
                handed.push(record);
            }
        }
    }
    let Sent {
        event,
        event_type,
        to,
        route,
    } = sent;
    let waiter = waiters[last].take().expect("a taker is still waiting");
    let record = Handed::to(&waiter, event.clone());
    match waiter.reply.send(Ok(event)) {
        Ok(()) => {
            handed.push(record);
            None
        }
        // Every taker stopped waiting just now.
        Err(Ok(event)) if !answered => Some(Sent {
            event,
            event_type,
            to,
            route,
        }),
        Err(_) => None,
    }
}

impl Handed {
    /// `event`, as handed to `waiter`.
    fn to(waiter: &Waiter, event: AnyEvent) -> Self {
        Self {
            id: waiter.id,
            invocation: waiter.invocation,
            nth: waiter.nth,
            event,
        }
    }
}

/// Looks at what the inbox of `ctx`'s run holds, on the run's task: hands
/// events to the waits they suit and routes the others to the steps that
/// accept them. Remembers `run` to wake if there is nothing to look at;
/// otherwise says how many events steps took.
pub(crate) fn receive<W: Workflow>(ctx: &Context<W>, run: &Waker) -> Option<usize> {
    let look = {
        let mut inbox = ctx.channel().inbox();
        inbox.clear_incoming();
        inbox.take_look(run)
    }?;
    for sent in &look.arrived {
        ctx.report(&Happening::InputArrived {
            event: sent.event.name(),
        });
    }
    let looked = look.resolve();
    let taken = looked.taken;
    let route = ctx.channel().inbox().put_back(looked);
    route_sent(ctx, route);
    Some(taken)
}

/// Routes the events a look left for the steps of `ctx`'s run.
fn route_sent<W: Workflow>(ctx: &Context<W>, sent: Vec<Sent>) {
    for sent in sent {
        let route = sent
            .route
            .and_then(|route| route.downcast_ref::<RouteFn<W>>())
            .expect("a run's inbox routes events of its own workflow");
        route(sent.event, sent.to, ctx);
    }
}

/// Routes an event restored from a snapshot, whose type only the workflow's
/// step table knows: to the step it was sent to, or to every step that
/// takes an event of its name one at a time.
fn route_restored<W: Workflow>(event: AnyEvent, to: Option<usize>, ctx: &Context<W>) {
    match to {
        Some(step) => ctx.invoke_sent(step, event),
        None => {
            let takers = takers::<W>(event.name());
            if let Some((&last, others)) = takers.split_last() {
                for &step in others {
                    ctx.invoke_sent(step, event.clone());
                }
                ctx.invoke_sent(last, event);
            }
        }
    }
}

/// The steps that take an event named `name` one at a time.
fn takers<W: Workflow>(name: &str) -> Vec<usize> {
    (0..W::STEPS.len())
        .filter(|&step| {
            let info = &W::STEPS[step];
            !info.gathers && info.accepts.iter().any(|event| event.name == name)
        })
        .collect()
}

impl Inbox {
    /// The events the caller sent that no step has taken, for a snapshot:
    /// each with the step it was sent to, and whether it was kept for a
    /// later wait (rather than not looked at yet).
    pub(crate) fn unclaimed(&self) -> Vec<(Option<usize>, &AnyEvent, bool)> {
        let kept = self.unclaimed.iter().map(|sent| (sent, true));
        let arrived = self.arrived.iter().map(|sent| (sent, false));
        kept.chain(arrived)
            .map(|(sent, kept)| (sent.to, &sent.event, kept))
            .collect()
    }

    /// Notes that the snapshot a run goes on from holds the store's inputs
    /// through `seq`.
    pub(crate) fn restore_inputs_through(&mut self, seq: u64) {
        self.inputs_through = self.inputs_through.max(seq);
    }

    /// Takes back an event of a snapshot's inbox (see
    /// [`unclaimed`](Self::unclaimed)), into the run `W`'s inbox.
    pub(crate) fn restore<W: Workflow>(&mut self, to: Option<usize>, event: AnyEvent, kept: bool) {
        let sent = Sent::restored::<W>(event, to);
        self.held += 1;
        if kept {
            self.unclaimed.push(sent);
        } else {
            self.arrived.push(sent);
        }
    }
}

fn route<W: Workflow, E: Event>(event: AnyEvent, to: Option<usize>, ctx: &Context<W>) {
    let event = event
        .downcast::<E>()
        .expect("an incoming event is routed as the type it was sent as");
    ctx.route_sent_by_caller(event, to);
}
