//! [`TakenBy`]: the input event types a workflow takes from its caller, so
//! that sending one it never takes is a compile error.

use crate::check::same_events;
use crate::event::EventInfo;
use crate::step::StepInfo;

/// Implemented by `workflow!` for each event type a step of `W` waits for
/// (`#[step(waits_for(...))]`) or accepts: the types the run's caller may
/// send. `REPEAT` is 0 for the first step that takes a type, and differs for
/// each later one, so that the impls do not conflict (see
/// [`taken_repeat`]).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "no step of `{W}` takes `{Self}`, so its caller cannot send one",
    label = "no step waits for or accepts `{Self}`",
    note = "declare `#[step(waits_for({Self}))]` on the step that waits for it with `ctx.wait_for_event`, or give a step a `{Self}` parameter"
)]
pub trait TakenBy<W, const REPEAT: usize = 0> {}

/// The `REPEAT` of the [`TakenBy`] impl for what step `step` takes at
/// `slot`: slot 0 for its event parameter, 1 + n for the n-th type of its
/// `waits_for(...)`. It is 0 if no step before it, and no slot before it in
/// the step, takes the same type; otherwise one more than the slot's place
/// among all steps' slots, which no other slot has.
pub const fn taken_repeat(steps: &[StepInfo], step: usize, slot: usize) -> usize {
    let taken = taken_at(&steps[step], slot);
    // The slot's place among all steps' slots.
    let mut place = slot;
    let mut repeats = false;
    let mut i = 0;
    while i <= step {
        let slots = if i == step {
            slot
        } else {
            1 + steps[i].waits_for.len()
        };
        let mut j = 0;
        while j < slots {
            let other = taken_at(&steps[i], j);
            repeats = repeats || (other.1 == taken.1 && same_events(other.0, taken.0));
            j += 1;
        }
        if i < step {
            place += slots;
        }
        i += 1;
    }
    if repeats { place + 1 } else { 0 }
}

/// What step `step` takes at `slot`: the events of the type, and whether it
/// is gathered (a `Vec` of an event, another type than the event). Two
/// slots of one type have the same; two of different types may too (an
/// event and a `OneOf` of it alone), and then count as a repeat, which only
/// gives the second impl a number of its own.
const fn taken_at(step: &StepInfo, slot: usize) -> (&[EventInfo], bool) {
    if slot == 0 {
        (step.accepts, step.gathers)
    } else {
        (std::slice::from_ref(&step.waits_for[slot - 1]), false)
    }
}
