//! Events a run's caller sends in while the run goes on
//! ([`WorkflowHandler::send_event`](crate::WorkflowHandler::send_event)):
//! each goes to a step waiting for one
//! ([`StepContext::wait_for_event`](crate::StepContext::wait_for_event)),
//! else to the steps that accept its type, else it is kept for a step that
//! waits for one later.
//!
//! The inbox lives beside the event stream, in the one allocation a run
//! shares with its caller; it holds events type-erased, and each event for
//! the steps carries the function that routes it, made where its type was
//! known.

use std::any::{Any, TypeId};
use std::task::Waker;

use tokio::sync::oneshot;

use crate::context::Context;
use crate::event::{AnyEvent, Event};
use crate::run::fan::accepted_singly;
use crate::workflow::Workflow;

#[derive(Default)]
pub(crate) struct Inbox {
    /// Events for the steps that accept them, each an [`Incoming`] of the
    /// run's workflow, until the run routes them.
    incoming: Vec<Box<dyn Any + Send>>,
    /// The steps waiting for an event, in the order they began to wait.
    waiters: Vec<Waiter>,
    /// Events that no step accepts and no step waited for yet.
    unclaimed: Vec<AnyEvent>,
    /// The run's task, woken when there are events for it to route.
    run: Option<Waker>,
}

/// A step waiting for an event of one type that passes its filter.
struct Waiter {
    event: TypeId,
    wants: Box<dyn Fn(&AnyEvent) -> bool + Send>,
    reply: oneshot::Sender<AnyEvent>,
}

/// An event for the steps that accept its type, and how to route it.
struct Incoming<W: Workflow> {
    event: AnyEvent,
    route: fn(AnyEvent, &Context<W>),
}

/// Where [`Inbox::receive`] put an event.
pub(crate) enum Received {
    /// To a waiting step, or kept for one.
    Placed,
    /// Into the run's queue: the run's task has to be woken.
    Queued(Option<Waker>),
}

impl Inbox {
    /// Takes `event` in: hands it to the first waiting step it suits, else
    /// queues it for the steps of `W` that accept it, else keeps it.
    pub(crate) fn receive<W: Workflow, E: Event>(&mut self, event: E) -> Received {
        let Some(event) = self.hand_to_waiter(TypeId::of::<E>(), AnyEvent::new(event)) else {
            return Received::Placed;
        };
        if !const { accepted_singly(W::STEPS, &E::INFO) } {
            self.unclaimed.push(event);
            return Received::Placed;
        }
        self.incoming.push(Box::new(Incoming::<W> {
            event,
            route: route::<W, E>,
        }));
        Received::Queued(self.run.take())
    }

    /// Gives `event` to the first waiter of its type whose filter it passes;
    /// gives it back if there is none. Drops waiters that stopped waiting.
    fn hand_to_waiter(&mut self, event_type: TypeId, mut event: AnyEvent) -> Option<AnyEvent> {
        self.waiters.retain(|waiter| !waiter.reply.is_closed());
        let mut index = 0;
        while index < self.waiters.len() {
            let waiter = &self.waiters[index];
            if waiter.event == event_type && (waiter.wants)(&event) {
                match self.waiters.remove(index).reply.send(event) {
                    Ok(()) => return None,
                    // It stopped waiting just now.
                    Err(returned) => event = returned,
                }
            } else {
                index += 1;
            }
        }
        Some(event)
    }

    /// Registers a step waiting for an `E` that `wants` accepts: its reply
    /// comes at once if such an event was kept.
    pub(crate) fn wait_for<E: Event>(
        &mut self,
        wants: impl Fn(&E) -> bool + Send + 'static,
    ) -> oneshot::Receiver<AnyEvent> {
        let wants = move |event: &AnyEvent| event.downcast_ref::<E>().is_some_and(&wants);
        let (reply, receiver) = oneshot::channel();
        match self.unclaimed.iter().position(&wants) {
            Some(index) => {
                let _ = reply.send(self.unclaimed.remove(index));
            }
            None => self.waiters.push(Waiter {
                event: TypeId::of::<E>(),
                wants: Box::new(wants),
                reply,
            }),
        }
        receiver
    }

    /// Takes the events for the run to route, remembering `run` to wake if
    /// there are none.
    pub(crate) fn take_incoming(&mut self, run: &Waker) -> Vec<Box<dyn Any + Send>> {
        if self.incoming.is_empty() && !self.run.as_ref().is_some_and(|known| known.will_wake(run))
        {
            self.run = Some(run.clone());
        }
        std::mem::take(&mut self.incoming)
    }

    /// How many events were sent that no step took.
    pub(crate) fn unclaimed(&self) -> usize {
        self.unclaimed.len()
    }
}

/// Routes the events the caller sent for the steps of `ctx`'s run.
pub(crate) fn route_incoming<W: Workflow>(ctx: &Context<W>, incoming: Vec<Box<dyn Any + Send>>) {
    for incoming in incoming {
        let incoming = incoming
            .downcast::<Incoming<W>>()
            .expect("a run's inbox holds events of its own workflow");
        if ctx.verbose() {
            println!("The caller sent event {}", incoming.event.name());
        }
        (incoming.route)(incoming.event, ctx);
    }
}

fn route<W: Workflow, E: Event>(event: AnyEvent, ctx: &Context<W>) {
    let event = event
        .downcast::<E>()
        .expect("an incoming event is routed as the type it was sent as");
    ctx.route_sent_by_caller(event);
}
