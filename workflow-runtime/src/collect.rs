//! The buffers behind [`StepContext::collect_events`](crate::StepContext::collect_events).

use std::any::{Any, TypeId};
use std::sync::Mutex;

use crate::event::Event;

/// Events gathered so far, one buffer per collecting step and event type.
///
/// The list of buffers is boxed on first use: most runs collect nothing,
/// and every run holds a collector in its task, where 16 bytes fewer keep
/// the task in a smaller allocation.
#[derive(Default)]
pub(crate) struct Collector {
    #[expect(
        clippy::box_collection,
        reason = "a boxed `Vec` is one word where an empty one is three"
    )]
    buffers: Mutex<Option<Box<Vec<Buffer>>>>,
}

struct Buffer {
    step: usize,
    event_type: TypeId,
    events: Box<dyn Any + Send>,
}

impl Collector {
    /// Adds `event` to the buffer of `step`; once it holds `count` events,
    /// empties it and hands them over in arrival order. Amortised O(1).
    pub(crate) fn collect<E: Event>(&self, step: usize, event: E, count: usize) -> Option<Vec<E>> {
        let mut buffers = self
            .buffers
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let buffers = buffers.get_or_insert_default();
        let key = TypeId::of::<E>();
        let index = match buffers
            .iter()
            .position(|buffer| buffer.step == step && buffer.event_type == key)
        {
            Some(index) => index,
            None => {
                buffers.push(Buffer {
                    step,
                    event_type: key,
                    events: Box::new(Vec::<E>::with_capacity(count)),
                });
                buffers.len() - 1
            }
        };
        let events = buffers[index]
            .events
            .downcast_mut::<Vec<E>>()
            .expect("a buffer holds the event type it is keyed by");
        events.push(event);
        if events.len() < count {
            return None;
        }
        let full = buffers.swap_remove(index);
        Some(*full.events.downcast::<Vec<E>>().expect("checked above"))
    }
}
