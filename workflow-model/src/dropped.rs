//! [`EventsDropped`]: what a bounded event stream leaves in place of the
//! events it dropped.

use serde::{Deserialize, Serialize};

use crate::event::library_event;

/// Stands in a bounded stream ([`WhenFull::DropOldest`](https://docs.rs/typed-workflows/latest/typed_workflows/enum.WhenFull.html#variant.DropOldest)) for the events
/// dropped there because the reader was behind: the reader gets it just
/// before the first event it reads after them.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{EventsDropped, WhenFull};
///
/// #[event]
/// struct Tick { n: u32 }
///
/// struct Ticker;
///
/// #[workflow_impl]
/// impl Ticker {
///     #[step(writes(Tick))]
///     async fn tick(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<()> {
///         for n in 0..10 {
///             ctx.write_event_to_stream(Tick { n });
///         }
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Ticker.runner().stream_capacity(3, WhenFull::DropOldest).run(StartEvent::new());
/// let mut events = handler.stream_events()?;
/// (&mut handler).await?; // the run ends before the reader reads anything
/// let dropped = events.next().await.unwrap();
/// assert_eq!(dropped.downcast_ref::<EventsDropped>().unwrap().count, 8);
/// assert_eq!(events.next().await.unwrap().downcast_ref::<Tick>().unwrap().n, 8);
/// assert_eq!(events.next().await.unwrap().downcast_ref::<Tick>().unwrap().n, 9);
/// assert!(events.next().await.unwrap().is::<StopEvent<()>>());
/// assert!(events.next().await.is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsDropped {
    /// How many events were dropped.
    pub count: u64,
}

library_event!("typed_workflows::", EventsDropped);
