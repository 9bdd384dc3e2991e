//! Routing an event to the steps that accept its type, by the step table.
//!
//! Which steps accept an event type is a constant of the workflow and the
//! type, found by [`Targets::of`] during compilation; a step's queued
//! invocation is made by its entry of [`Workflow::WRAP`]. So the code
//! generated for each event type is one small function whatever the number
//! of steps, and in an optimised build the call to the one step that accepts
//! a type is direct.

use std::any::Any;

use workflow_model::{
    __private::{EventInfo, EventKind},
    AnyEvent, Event, StepInfo,
};

use crate::check::contains;
use crate::run::fan::gathered;
use crate::workflow::{Sink, Workflow};

/// The steps that take an event type one at a time: how many, and the first
/// and last of them.
struct Targets {
    count: usize,
    first: usize,
    last: usize,
}

impl Targets {
    const fn of(steps: &[StepInfo], event: &EventInfo) -> Self {
        let mut targets = Self {
            count: 0,
            first: 0,
            last: 0,
        };
        let mut step = steps.len();
        while step > 0 {
            step -= 1;
            if takes_singly(&steps[step], event) {
                if targets.count == 0 {
                    targets.last = step;
                }
                targets.first = step;
                targets.count += 1;
            }
        }
        targets
    }
}

/// Whether `step` takes `event` one at a time (rather than gathered).
pub(crate) const fn takes_singly(step: &StepInfo, event: &EventInfo) -> bool {
    !step.gathers && contains(step.accepts, event)
}

/// Queues `event` for every step that takes its type one at a time, cloning
/// it for all but the last; or, if none does, see [`unrouted`].
#[inline(always)]
pub(crate) fn broadcast<W: Workflow, E: Event, S: Sink<W>>(event: E, sink: &mut S) {
    let targets = const { Targets::of(W::STEPS, &E::INFO) };
    match targets.count {
        0 => unrouted::<W, E, S>(event, sink),
        1 => sink.enqueue(targets.first, wrap::<W, E>(targets.first, event)),
        _ => {
            for step in targets.first..targets.last {
                if takes_singly(&W::STEPS[step], &E::INFO) {
                    sink.enqueue(step, wrap::<W, E>(step, event.clone()));
                }
            }
            sink.enqueue(targets.last, wrap::<W, E>(targets.last, event));
        }
    }
}

/// Queues `event` for step `step` alone, if it takes the event's type one
/// at a time; gives the event back otherwise.
#[inline]
pub(crate) fn deliver_to<W: Workflow, E: Event, S: Sink<W>>(
    step: usize,
    event: E,
    sink: &mut S,
) -> Result<(), E> {
    match W::STEPS.get(step) {
        Some(info) if takes_singly(info, &E::INFO) => {
            sink.enqueue(step, wrap::<W, E>(step, event));
            Ok(())
        }
        _ => Err(event),
    }
}

/// The queued invocation of step `step`, which takes `E`.
#[inline(always)]
fn wrap<W: Workflow, E: Event>(step: usize, event: E) -> W::Pending {
    let mut slot = Some(event);
    (W::WRAP[step])(&mut slot)
}

/// An event that no step accepts one at a time ends the run if it is a stop
/// event, is gathered for the steps that take a `Vec` of it, and goes to the
/// stream otherwise (the compile-time checks allow that only for outbound
/// events).
fn unrouted<W: Workflow, E: Event, S: Sink<W>>(event: E, sink: &mut S) {
    if E::KIND == EventKind::Stop {
        sink.stop(cast::<E, W::Stop>(event));
    } else if const { gathered(W::STEPS, &E::INFO) } {
        sink.gather(E::KEY, AnyEvent::new(event));
    } else {
        sink.outbound(AnyEvent::new(event));
    }
}

/// Moves `value` to the type it is known to be.
#[inline(always)]
fn cast<A: 'static, B: 'static>(value: A) -> B {
    let mut slot = Some(value);
    match (&mut slot as &mut dyn Any).downcast_mut::<Option<B>>() {
        Some(cast) => cast.take().expect("the slot was filled just above"),
        None => unreachable!(
            "routing matched `{}` with `{}`",
            std::any::type_name::<A>(),
            std::any::type_name::<B>()
        ),
    }
}
