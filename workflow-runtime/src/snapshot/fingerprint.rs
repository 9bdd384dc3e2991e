//! The fingerprint of a workflow: a hash of what a snapshot depends on.

use crate::event::EventInfo;
use crate::workflow::{StepInfo, Workflow};

/// The fingerprint of `W`, as 16 hex digits: a hash of its steps' names, of
/// the events each accepts, returns, sends, writes and waits for (their
/// names and the names and types of their fields, as written), and of the
/// name of its state type. The graph's part is computed at compile time.
///
/// Two builds of a workflow with the same fingerprint can resume each
/// other's snapshots as they are; with another, [`Runner::resume`]
/// checks each thing the snapshot holds (see [`ResumeError`]).
///
/// [`Runner::resume`]: crate::Runner::resume
/// [`ResumeError`]: crate::ResumeError
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::snapshot::fingerprint;
///
/// struct Echo;
///
/// #[workflow_impl]
/// impl Echo {
///     #[step]
///     async fn echo(&self, _start: StartEvent) -> StopEvent<()> {
///         StopEvent::new(())
///     }
/// }
///
/// assert_eq!(fingerprint::<Echo>().len(), 16);
/// assert_eq!(fingerprint::<Echo>(), fingerprint::<Echo>());
/// ```
pub fn fingerprint<W: Workflow>() -> String {
    let graph = const { graph_hash(W::STEPS) };
    let state = Hash(graph).text(std::any::type_name::<W::State>());
    format!("{:016x}", state.0)
}

/// FNV-1a, which a `const fn` can compute.
#[derive(Clone, Copy)]
struct Hash(u64);

impl Hash {
    const START: Self = Self(0xcbf2_9ce4_8422_2325);

    const fn byte(self, byte: u8) -> Self {
        Self((self.0 ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
    }

    /// Hashes `text` and a separator, so that `("ab", "c")` and
    /// `("a", "bc")` differ.
    const fn text(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            self = self.byte(bytes[i]);
            i += 1;
        }
        self.byte(0xff)
    }

    const fn events(mut self, events: &[EventInfo]) -> Self {
        let mut i = 0;
        while i < events.len() {
            self = self.text(events[i].name);
            let fields = events[i].fields;
            let mut f = 0;
            while f < fields.len() {
                self = self.text(fields[f].0).text(fields[f].1);
                f += 1;
            }
            self = self.byte(0xfe);
            i += 1;
        }
        self.byte(0xfd)
    }
}

const fn graph_hash(steps: &[StepInfo]) -> u64 {
    let mut hash = Hash::START;
    let mut i = 0;
    while i < steps.len() {
        let step = &steps[i];
        hash = hash
            .text(step.name)
            .events(step.accepts)
            .events(step.returns)
            .events(step.sends)
            .events(step.writes)
            .events(step.waits_for)
            .byte(step.gathers as u8)
            .byte(step.fans_out as u8);
        i += 1;
    }
    hash.0
}
