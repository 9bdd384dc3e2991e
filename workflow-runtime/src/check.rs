//! The graph checks of `workflow!`, evaluated by the compiler.
//!
//! The macro cannot resolve types, so it cannot tell that `A`, `crate::A` and
//! an alias of `A` are one event. It builds the step table from each type's
//! [`Event::KEY`](crate::Event::KEY) instead and asks these `const fn`s about
//! it, one `const` item per check and step, each spanned on the offending
//! token: a failed check panics during constant evaluation, which the
//! compiler reports as an error there, all of them in one build.

use crate::event::{EventInfo, EventKind};
use crate::workflow::StepInfo;

/// The outcome of one check: passed, or the message of the compile error.
pub struct Verdict {
    buf: [u8; CAPACITY],
    len: usize,
    failed: bool,
}

const CAPACITY: usize = 1024;

impl Verdict {
    const PASS: Self = Self {
        buf: [0; CAPACITY],
        len: 0,
        failed: false,
    };

    const fn fail() -> Self {
        Self {
            failed: true,
            ..Self::PASS
        }
    }

    /// Appends `text` to the message, cutting it at the capacity.
    const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < CAPACITY {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Appends the names of `events` as "`A`", "`A` and `B`", "`A`, `B` and `C`".
    const fn push_names(mut self, events: &[EventInfo], included: &[bool]) -> Self {
        let total = count(included);
        let mut written = 0;
        let mut i = 0;
        while i < events.len() {
            if included[i] {
                if written > 0 {
                    self = self.push(if written + 1 == total { " and " } else { ", " });
                }
                self = self.push("`").push(events[i].name).push("`");
                written += 1;
            }
            i += 1;
        }
        self
    }

    /// Whether the check failed.
    pub const fn failed(&self) -> bool {
        self.failed
    }

    /// The message of the error, empty if the check passed.
    pub const fn message(&self) -> &str {
        let (message, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(message) {
            Ok(message) => message,
            // The cut at the capacity may split a character.
            Err(error) => match core::str::from_utf8(message.split_at(error.valid_up_to()).0) {
                Ok(message) => message,
                Err(_) => "",
            },
        }
    }
}

pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn count(flags: &[bool]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < flags.len() {
        if flags[i] {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn is_accepted(steps: &[StepInfo], event: &EventInfo) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if str_eq(steps[i].accepts.key, event.key) {
            return true;
        }
        i += 1;
    }
    false
}

const fn contains(events: &[EventInfo], key: &str) -> bool {
    let mut i = 0;
    while i < events.len() {
        if str_eq(events[i].key, key) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether step `from` returns or sends what step `to` accepts, or `to`
/// catches the failures of `from`.
pub(crate) const fn feeds(from: &StepInfo, to: &StepInfo) -> bool {
    contains(from.returns, to.accepts.key)
        || contains(from.sends, to.accepts.key)
        || contains_name(to.catches, from.name)
}

const fn contains_name(names: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < names.len() {
        if str_eq(names[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

const fn any_stop(events: &[EventInfo]) -> bool {
    let mut i = 0;
    while i < events.len() {
        if matches!(events[i].kind, EventKind::Stop) {
            return true;
        }
        i += 1;
    }
    false
}

const fn outputs_stop(step: &StepInfo) -> bool {
    any_stop(step.returns) || any_stop(step.sends)
}

/// Which events in `events` leave the graph unintentionally: not a stop
/// event, not outbound, and accepted by no step. Handles up to 64 events.
const fn unaccepted(steps: &[StepInfo], events: &[EventInfo]) -> [bool; 64] {
    let mut flags = [false; 64];
    let mut i = 0;
    while i < events.len() && i < 64 {
        flags[i] = matches!(
            events[i].kind,
            EventKind::Regular | EventKind::Start | EventKind::Input
        ) && !is_accepted(steps, &events[i]);
        i += 1;
    }
    flags
}

/// Which steps a run can reach from its start event, or from an input event
/// its caller sends.
const fn reachable<const N: usize>(steps: &[StepInfo; N]) -> [bool; N] {
    let mut starts = [false; N];
    let mut i = 0;
    while i < N {
        starts[i] = matches!(steps[i].accepts.kind, EventKind::Start | EventKind::Input);
        i += 1;
    }
    close(steps, starts, true)
}

/// Which steps have a path to a stop event.
const fn stops<const N: usize>(steps: &[StepInfo; N]) -> [bool; N] {
    let mut stopping = [false; N];
    let mut i = 0;
    while i < N {
        stopping[i] = outputs_stop(&steps[i]);
        i += 1;
    }
    close(steps, stopping, false)
}

/// Extends `marked` along the edges of the graph until nothing changes:
/// `forward`, to every step that a marked step feeds; backward, to every
/// step that feeds a marked one.
const fn close<const N: usize>(
    steps: &[StepInfo; N],
    mut marked: [bool; N],
    forward: bool,
) -> [bool; N] {
    let mut changed = true;
    while changed {
        changed = false;
        let mut from = 0;
        while from < N {
            let mut to = 0;
            while to < N {
                let (known, next) = if forward { (from, to) } else { (to, from) };
                if marked[known] && !marked[next] && feeds(&steps[from], &steps[to]) {
                    marked[next] = true;
                    changed = true;
                }
                to += 1;
            }
            from += 1;
        }
    }
    marked
}

/// Whether a step accepts an input event: then runs take events from their
/// caller, and wait for them when they have nothing else to do.
pub(crate) const fn takes_input(steps: &[StepInfo]) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if matches!(steps[i].accepts.kind, EventKind::Input) {
            return true;
        }
        i += 1;
    }
    false
}

const fn has_start<const N: usize>(steps: &[StepInfo; N]) -> bool {
    let mut i = 0;
    while i < N {
        if matches!(steps[i].accepts.kind, EventKind::Start) {
            return true;
        }
        i += 1;
    }
    false
}

const fn start_reaches_stop<const N: usize>(steps: &[StepInfo; N]) -> bool {
    let (seen, found) = (reachable(steps), stops(steps));
    let mut i = 0;
    while i < N {
        if seen[i] && found[i] {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether the step's input is produced by some step (or is a start or an
/// input event, which the caller produces).
const fn input_produced<const N: usize>(steps: &[StepInfo; N], step: usize) -> bool {
    if !matches!(
        steps[step].accepts.kind,
        EventKind::Regular | EventKind::Outbound
    ) || !steps[step].catches.is_empty()
    {
        return true;
    }
    let mut i = 0;
    while i < N {
        if feeds(&steps[i], &steps[step]) {
            return true;
        }
        i += 1;
    }
    false
}

const fn outputs_all_accepted(steps: &[StepInfo], step: &StepInfo) -> bool {
    count(&unaccepted(steps, step.returns)) == 0 && count(&unaccepted(steps, step.sends)) == 0
}

/// No step may accept a stop event.
pub const fn accepts_stop(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    if !matches!(info.accepts.kind, EventKind::Stop) {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` accepts the stop event `")
        .push(info.accepts.name)
        .push("`, but a stop event ends the run and never reaches a step: accept an ordinary event instead, and return the stop event from the step that finishes the run")
}

/// Every accepted event must be produced by some step.
pub const fn input_never_produced<const N: usize>(steps: &[StepInfo; N], step: usize) -> Verdict {
    if input_produced(steps, step) {
        return Verdict::PASS;
    }
    let info = &steps[step];
    let event = info.accepts.name;
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` accepts `")
        .push(event)
        .push("`, but no step returns or sends it: return `")
        .push(event)
        .push("` from a step, or send it with `ctx.send_event` from a step marked `#[step(sends(")
        .push(event)
        .push("))]`")
}

/// Every returned event must be accepted by some step, unless it is a stop
/// or outbound event.
pub const fn returns_unaccepted(steps: &[StepInfo], step: usize) -> Verdict {
    outputs_unaccepted(steps, step, steps[step].returns, "returns")
}

/// Every event declared in `sends(...)` must be accepted by some step,
/// unless it is a stop or outbound event.
pub const fn sends_unaccepted(steps: &[StepInfo], step: usize) -> Verdict {
    outputs_unaccepted(steps, step, steps[step].sends, "sends")
}

const fn outputs_unaccepted(
    steps: &[StepInfo],
    step: usize,
    events: &[EventInfo],
    verb: &str,
) -> Verdict {
    let flags = unaccepted(steps, events);
    let total = count(&flags);
    if total == 0 {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(steps[step].name)
        .push("` ")
        .push(verb)
        .push(" ")
        .push_names(events, &flags)
        .push(", which no step accepts")
        .push(": add a step that takes ")
        .push(if total == 1 { "it" } else { "each" })
        .push(", or derive ")
        .push(if total == 1 { "it" } else { "them" })
        .push(" with `#[event(outbound)]` if ")
        .push(if total == 1 { "it is" } else { "they are" })
        .push(" meant to leave the workflow through the event stream")
}

/// No step may declare that it writes a stop event to the stream: written
/// events are not routed, so it would not end the run.
pub const fn writes_stop(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    let mut i = 0;
    while i < info.writes.len() {
        let event = &info.writes[i];
        if matches!(event.kind, EventKind::Stop) {
            return Verdict::fail()
                .push("step `")
                .push(info.name)
                .push("` writes the stop event `")
                .push(event.name)
                .push("` to the event stream, which does not end the run: return it from the step, or send it with `sends(")
                .push(event.name)
                .push(")`");
        }
        i += 1;
    }
    Verdict::PASS
}

/// A step may only wait for input events: those are what the run's caller
/// sends in.
pub const fn waits_for_other_than_input(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    let mut i = 0;
    while i < info.waits_for.len() {
        let event = &info.waits_for[i];
        if !matches!(event.kind, EventKind::Input) {
            return Verdict::fail()
                .push("step `")
                .push(info.name)
                .push("` waits for `")
                .push(event.name)
                .push("`, which is not an input event, and only the run's caller sends events a step waits for: derive `")
                .push(event.name)
                .push("` with `#[event(input)]`");
        }
        i += 1;
    }
    Verdict::PASS
}

/// The steps a step catches the failures of must exist.
pub const fn catches_unknown_step(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    let Some(unknown) = unknown_catch(steps, info) else {
        return Verdict::PASS;
    };
    let mut verdict = Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` catches the failures of `")
        .push(unknown)
        .push("`, but the workflow has no step of that name; its steps are ");
    let mut j = 0;
    while j < steps.len() {
        if j > 0 {
            verdict = verdict.push(", ");
        }
        verdict = verdict.push("`").push(steps[j].name).push("`");
        j += 1;
    }
    verdict
}

/// The first name in `step`'s `catches(...)` that is no step of `steps`.
const fn unknown_catch(steps: &[StepInfo], step: &StepInfo) -> Option<&'static str> {
    let mut i = 0;
    while i < step.catches.len() {
        let mut known = false;
        let mut j = 0;
        while j < steps.len() {
            known = known || str_eq(steps[j].name, step.catches[i]);
            j += 1;
        }
        if !known {
            return Some(step.catches[i]);
        }
        i += 1;
    }
    None
}

/// A step that catches failures accepts the event that describes them.
pub const fn catcher_without_failure_event(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    if info.catches.is_empty() || (!info.gathers && str_eq(info.accepts.key, FAILURE_EVENT_KEY)) {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` catches failures, so it accepts the event that describes one, a failure at a time: take `failed: StepFailedEvent` instead of ")
        .push(if info.gathers { "a `Vec` of `" } else { "`" })
        .push(info.accepts.name)
        .push("`")
}

/// A step that takes a `Vec<E>` gathers the branches of a fan-out, so some
/// step must fan out: return a `Vec` of events.
pub const fn gathers_without_fan_out(steps: &[StepInfo], step: usize) -> Verdict {
    let info = &steps[step];
    if !info.gathers {
        return Verdict::PASS;
    }
    let mut i = 0;
    while i < steps.len() {
        if steps[i].fans_out {
            return Verdict::PASS;
        }
        i += 1;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` takes a `Vec<")
        .push(info.accepts.name)
        .push(">`, which gathers the branches of a fan-out, but no step fans out: return a `Vec` of events from the step that starts the branches, like `Result<Vec<Job>>`, or take one `")
        .push(info.accepts.name)
        .push("` at a time")
}

/// The key of [`StepFailedEvent`](crate::StepFailedEvent).
const FAILURE_EVENT_KEY: &str = <crate::recover::StepFailedEvent as crate::Event>::KEY;

/// Some step must accept a start event.
pub const fn no_start<const N: usize>(workflow: &str, steps: &[StepInfo; N]) -> Verdict {
    if has_start(steps) {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("no step of `")
        .push(workflow)
        .push("` accepts a start event, so no run could begin: add a step that takes `StartEvent`, or your own event derived with `#[event(start)]`")
}

/// A path must lead from the start event to a stop event.
pub const fn no_path_to_stop<const N: usize>(workflow: &str, steps: &[StepInfo; N]) -> Verdict {
    if !has_start(steps) || start_reaches_stop(steps) {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("no path leads from the start event of `")
        .push(workflow)
        .push("` to a stop event, so no run could finish: make a step reachable from the start return `StopEvent<T>` (or your own event derived with `#[event(stop)]`)")
}

/// Every step must be reachable from the start event.
pub const fn unreachable<const N: usize>(steps: &[StepInfo; N], step: usize) -> Verdict {
    // A step that catches a step that does not exist has its own error.
    if !has_start(steps)
        || !input_produced(steps, step)
        || reachable(steps)[step]
        || unknown_catch(steps, &steps[step]).is_some()
    {
        return Verdict::PASS;
    }
    let info = &steps[step];
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` can never run: it accepts `")
        .push(info.accepts.name)
        .push("`, and no step reachable from the start event returns or sends that; produce `")
        .push(info.accepts.name)
        .push("` on a path from the start, or remove the step")
}

/// Every reachable step must have a path to a stop event, unless the run's
/// caller can go on with it: a run whose steps accept input events waits for
/// them rather than stalling.
pub const fn dead_end<const N: usize>(steps: &[StepInfo; N], step: usize) -> Verdict {
    let info = &steps[step];
    if takes_input(steps)
        || !start_reaches_stop(steps)
        || !reachable(steps)[step]
        || stops(steps)[step]
        || !outputs_all_accepted(steps, info)
    {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` is a dead end: nothing it returns or sends leads to a stop event, so a run that reaches it can only stall; return or send an event that leads on to a stop event")
}
