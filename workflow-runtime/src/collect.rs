//! The buffers behind [`StepContext::collect_events`](crate::StepContext::collect_events)
//! and [`StepContext::collect_each`](crate::StepContext::collect_each), and
//! [`EventTuple`], the types `collect_each` gathers one of each of.

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard};

use crate::emit::Emit;
use crate::event::{AnyEvent, Event};
use crate::workflow::{Sink, Workflow};

/// Events gathered so far, one buffer per collecting step and event type,
/// shared by `collect_events` and `collect_each`: a step that collects
/// events of one type both ways takes them from one buffer.
///
/// The list of buffers is boxed on first use: most runs collect nothing,
/// and every run holds a collector in its task, where 16 bytes fewer keep
/// the task in a smaller allocation.
#[derive(Default)]
pub(crate) struct Collector {
    buffers: Mutex<Buffers>,
}

/// The collector's buffers, once there are any: a boxed `Vec` is one word
/// where an empty one is three.
type Buffers = Option<Box<Vec<Buffer>>>;

struct Buffer {
    step: usize,
    event_type: TypeId,
    /// A `Vec` of the event type, in arrival order; never empty. A buffer
    /// restored from a snapshot holds a `Vec<AnyEvent>` until a step first
    /// looks at it with the type.
    events: Box<dyn Any + Send>,
    /// The events, erased, for a snapshot.
    erased: fn(&(dyn Any + Send)) -> Vec<AnyEvent>,
}

/// The events of a buffer of `E`s, erased.
fn erased<E: Event>(events: &(dyn Any + Send)) -> Vec<AnyEvent> {
    match events.downcast_ref::<Vec<E>>() {
        Some(events) => events.iter().cloned().map(AnyEvent::new).collect(),
        None => erased_restored(events),
    }
}

/// The events of a buffer restored from a snapshot and not looked at since.
fn erased_restored(events: &(dyn Any + Send)) -> Vec<AnyEvent> {
    events
        .downcast_ref::<Vec<AnyEvent>>()
        .expect("a buffer holds its type's events, or the erased ones it was restored with")
        .clone()
}

impl Collector {
    /// Adds `event` to the buffer of `step`; once it holds `count` events,
    /// hands over the `count` oldest, in arrival order, and keeps the rest.
    /// A `count` of 0 asks for nothing: it is handed nothing at once, and
    /// `event` is dropped, not kept. Amortised O(1).
    pub(crate) fn collect<E: Event>(&self, step: usize, event: E, count: usize) -> Option<Vec<E>> {
        if count == 0 {
            return Some(Vec::new());
        }
        let mut buffers = self.lock();
        let mut gathered = Gathered::of(&mut buffers, step);
        let events = gathered.push(event, count);
        if events.len() < count {
            return None;
        }
        Some(gathered.take_oldest::<E>(count))
    }

    /// Adds the events `add` hands to the buffers of `step`, then takes
    /// one of each type of `S` if every one is there.
    pub(crate) fn collect_each<S: EventTuple>(
        &self,
        step: usize,
        add: impl FnOnce(&mut Gathered<'_>),
    ) -> Option<S> {
        let mut buffers = self.lock();
        let mut gathered = Gathered::of(&mut buffers, step);
        add(&mut gathered);
        S::take(&mut gathered)
    }

    /// Drops every event collected so far, outside the lock.
    /// What each step is collecting, erased, for a snapshot: by step,
    /// the events of each type, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<(usize, Vec<AnyEvent>)> {
        let buffers = self.lock();
        buffers
            .iter()
            .flat_map(|buffers| buffers.iter())
            .map(|buffer| (buffer.step, (buffer.erased)(&*buffer.events)))
            .collect()
    }

    /// Collects again what a snapshot held: `events` of one type for
    /// `step`, oldest first.
    pub(crate) fn restore(&self, step: usize, events: Vec<AnyEvent>) {
        let Some(first) = events.first() else {
            return;
        };
        let event_type = first.type_id();
        self.lock().get_or_insert_default().push(Buffer {
            step,
            event_type,
            events: Box::new(events),
            erased: erased_restored,
        });
    }

    pub(crate) fn clear(&self) {
        let buffers = self.lock().take();
        drop(buffers);
    }

    fn lock(&self) -> MutexGuard<'_, Buffers> {
        // Buffers are only changed whole, so a poisoned lock still holds
        // consistent data.
        self.buffers
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// The buffers of one step while it collects: what
/// [`EventTuple`] takes its events from.
#[doc(hidden)]
pub struct Gathered<'a> {
    buffers: &'a mut Vec<Buffer>,
    step: usize,
}

impl<'a> Gathered<'a> {
    fn of(buffers: &'a mut Buffers, step: usize) -> Self {
        Self {
            buffers: buffers.get_or_insert_default(),
            step,
        }
    }

    fn position<E: Event>(&self) -> Option<usize> {
        let key = TypeId::of::<E>();
        self.buffers
            .iter()
            .position(|buffer| buffer.step == self.step && buffer.event_type == key)
    }

    fn events<E: Event>(&mut self, index: usize) -> &mut Vec<E> {
        let buffer = &mut self.buffers[index];
        if let Some(restored) = buffer.events.downcast_mut::<Vec<AnyEvent>>() {
            let typed: Vec<E> = std::mem::take(restored)
                .into_iter()
                .map(|event| {
                    event
                        .downcast::<E>()
                        .expect("a restored buffer holds events of the type it is keyed by")
                })
                .collect();
            buffer.events = Box::new(typed);
            buffer.erased = erased::<E>;
        }
        buffer
            .events
            .downcast_mut::<Vec<E>>()
            .expect("a buffer holds the event type it is keyed by")
    }

    /// Adds `event` to its buffer, made with room for `capacity` events if
    /// it is new; returns the buffer.
    pub(crate) fn push<E: Event>(&mut self, event: E, capacity: usize) -> &mut Vec<E> {
        let index = match self.position::<E>() {
            Some(index) => index,
            None => {
                self.buffers.push(Buffer {
                    step: self.step,
                    event_type: TypeId::of::<E>(),
                    events: Box::new(Vec::<E>::with_capacity(capacity)),
                    erased: erased::<E>,
                });
                self.buffers.len() - 1
            }
        };
        let events = self.events::<E>(index);
        events.push(event);
        events
    }

    /// How many events of type `E` the step has collected.
    pub fn count<E: Event>(&mut self) -> usize {
        self.position::<E>()
            .map_or(0, |index| self.events::<E>(index).len())
    }

    /// The oldest event of type `E`.
    ///
    /// # Panics
    ///
    /// If there is none: check [`count`](Self::count) first.
    pub fn take<E: Event>(&mut self) -> E {
        let mut oldest = self.take_oldest::<E>(1);
        oldest.pop().expect("one event was taken")
    }

    /// The `count` oldest events of type `E`, in arrival order; the buffer
    /// goes once it is empty.
    fn take_oldest<E: Event>(&mut self, count: usize) -> Vec<E> {
        let index = self
            .position::<E>()
            .expect("the events are counted before they are taken");
        let events = self.events::<E>(index);
        if events.len() > count {
            return events.drain(..count).collect();
        }
        let whole = self.buffers.swap_remove(index);
        *whole.events.downcast::<Vec<E>>().expect("checked above")
    }
}

/// Where [`StepContext::collect_each`](crate::StepContext::collect_each)
/// hands the events of its argument: to the buffers of the collecting step,
/// `step`, if `S` lists their types.
pub(crate) struct Collecting<'g, 'a, S> {
    pub(crate) gathered: &'g mut Gathered<'a>,
    pub(crate) step: &'static str,
    pub(crate) tuple: PhantomData<fn() -> S>,
}

impl<W: Workflow, S: EventTuple> Sink<W> for Collecting<'_, '_, S> {
    fn deliver<E: Event>(&mut self, event: E) {
        assert!(
            S::holds(TypeId::of::<E>()),
            "step `{}` collects one of each of {} with `collect_each`, and was given an event of type `{}`: pass it events of those types only",
            self.step,
            S::names(),
            E::NAME,
        );
        self.gathered.push(event, 1);
    }

    fn fan_out<T: Emit>(&mut self, items: Vec<T>) {
        for item in items {
            item.emit::<W, Self>(self);
        }
    }

    fn enqueue(&mut self, _step: usize, _pending: W::Pending) {
        unreachable!("events to collect are handed over, never routed")
    }

    fn stop(&mut self, _stop: W::Stop) {
        unreachable!("events to collect are handed over, never routed")
    }

    fn outbound(&mut self, _event: AnyEvent) {
        unreachable!("events to collect are handed over, never routed")
    }

    fn gather(&mut self, _key: &'static str, _event: AnyEvent) {
        unreachable!("events to collect are handed over, never routed")
    }
}

/// A tuple of event types, `(A, B, ...)` of up to 12, that
/// [`StepContext::collect_each`](crate::StepContext::collect_each) gathers
/// one event of each of, in the tuple's order. A type listed twice takes
/// two events of it.
///
/// The example on
/// [`collect_each`](crate::StepContext::collect_each) gathers a
/// `(Query, Retrieved)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tuple of event types",
    label = "not a tuple of events",
    note = "collect one event of each of several types with a tuple of them, like `ctx.collect_each::<(Query, Retrieved)>(ev)`"
)]
pub trait EventTuple: Sized + Send + 'static {
    /// The names of the types, as `(A, B)`.
    #[doc(hidden)]
    fn names() -> String;

    /// Whether one of the types is the type of `id`.
    #[doc(hidden)]
    fn holds(id: TypeId) -> bool;

    /// One event of each type, the oldest, if every one is there.
    #[doc(hidden)]
    fn take(gathered: &mut Gathered<'_>) -> Option<Self>;
}

macro_rules! event_tuple {
    ($($event:ident),+) => {
        impl<$($event: Event),+> EventTuple for ($($event,)+) {
            fn names() -> String {
                let names: &[&str] = &[$($event::NAME),+];
                format!("({})", names.join(", "))
            }

            fn holds(id: TypeId) -> bool {
                [$(TypeId::of::<$event>()),+].contains(&id)
            }

            fn take(gathered: &mut Gathered<'_>) -> Option<Self> {
                let types = [$(TypeId::of::<$event>()),+];
                let have = [$(gathered.count::<$event>()),+];
                for (ty, have) in types.iter().zip(have) {
                    let needed = types.iter().filter(|other| *other == ty).count();
                    if have < needed {
                        return None;
                    }
                }
                Some(($(gathered.take::<$event>(),)+))
            }
        }
    };
}

event_tuple!(A);
event_tuple!(A, B);
event_tuple!(A, B, C);
event_tuple!(A, B, C, D);
event_tuple!(A, B, C, D, E);
event_tuple!(A, B, C, D, E, F);
event_tuple!(A, B, C, D, E, F, G);
event_tuple!(A, B, C, D, E, F, G, H);
event_tuple!(A, B, C, D, E, F, G, H, I);
event_tuple!(A, B, C, D, E, F, G, H, I, J);
event_tuple!(A, B, C, D, E, F, G, H, I, J, K);
event_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);
