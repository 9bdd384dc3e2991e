//! The graph checks of `workflow!`, evaluated by the compiler.
//!
//! The macro cannot resolve types, so it cannot tell that `A`, `crate::A` and
//! an alias of `A` are one event. It builds the step table from each type's
//! [`Event::KEY`](crate::Event::KEY) instead, and asks the compiler to
//! analyse it once per workflow: [`Graph::of`] sorts the events by identity
//! and finds which steps a run can reach and which lead to a stop event, in
//! time that grows with the size of the graph, not its square. The checks
//! then read that analysis, one `const` item per check and step, each spanned
//! on the offending token: a failed check panics during constant evaluation,
//! which the compiler reports as an error there, all of them in one build.

use crate::event::{EventInfo, EventKind};
use crate::failure::catcher_of;
use crate::step::StepInfo;

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
    const fn push(self, text: &str) -> Self {
        self.push_bytes(text.as_bytes())
    }

    /// Appends the part of `bytes` that fits.
    const fn push_bytes(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() && self.len < CAPACITY {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Appends the name of `event`: its [`Event::NAME`](crate::Event::NAME),
    /// or, if another event of `graph` has that name too, its path without
    /// the crate, like `a::Hop`, and if that is shared as well, the place
    /// of its definition.
    const fn push_event<const N: usize, const A: usize, const R: usize, const C: usize>(
        self,
        graph: &Graph<N, A, R, C>,
        event: &EventInfo,
    ) -> Self {
        match graph.namesake(event) {
            Namesake::None => self.push(event.name),
            Namesake::OtherPath => self.push_bytes(key_path(event.key)),
            Namesake::SamePath => self
                .push_bytes(key_path(event.key))
                .push(" defined at ")
                .push_bytes(key_definition(event.key)),
        }
    }

    /// Appends the names of the events of `events` that `graph` does not
    /// route, as "`A`", "`A` and `B`", "`A`, `B` and `C`".
    const fn push_unaccepted<const N: usize, const A: usize, const R: usize, const C: usize>(
        mut self,
        graph: &Graph<N, A, R, C>,
        events: &[EventInfo],
    ) -> Self {
        let total = graph.count_reported(events);
        let mut written = 0;
        let mut i = 0;
        while i < events.len() {
            if graph.reported_unaccepted(&events[i]) {
                if written > 0 {
                    self = self.push(if written + 1 == total { " and " } else { ", " });
                }
                self = self.push("`").push_event(graph, &events[i]).push("`");
                written += 1;
            }
            i += 1;
        }
        self
    }

    /// Appends the names of `events`, as "`A`", "`A` and `B`", "`A`, `B`
    /// and `C`".
    const fn push_events<const N: usize, const A: usize, const R: usize, const C: usize>(
        mut self,
        graph: &Graph<N, A, R, C>,
        events: &[EventInfo],
    ) -> Self {
        let mut i = 0;
        while i < events.len() {
            if i > 0 {
                self = self.push(if i + 1 == events.len() { " and " } else { ", " });
            }
            self = self.push("`").push_event(graph, &events[i]).push("`");
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

/// The 64-bit FNV-1a hash of `key`: [`Event::ID`](crate::Event::ID).
pub const fn fingerprint(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Which of the events of a graph's steps to look among.
#[derive(Clone, Copy)]
enum Uses {
    /// The events the steps accept.
    Accepted,
    /// The events they return or send.
    Produced,
    /// All: also those they write and wait for.
    All,
}

/// Whether another event of a graph has an event's name.
enum Namesake {
    None,
    /// Another event with that name lives in another module.
    OtherPath,
    /// Another event with that name lives in the same module.
    SamePath,
}

/// The path of the event keyed `key`, without its crate: `a::Hop` of
/// `my_crate::a::Hop@src/main.rs:1:1#...`, as [`Event::KEY`](crate::Event::KEY)
/// of a derived event is written.
const fn key_path(key: &str) -> &[u8] {
    let bytes = key.as_bytes();
    let end = position(bytes, b'@', bytes.len());
    let mut start = 0;
    let mut i = 0;
    while i + 1 < end {
        if bytes[i] == b':' && bytes[i + 1] == b':' {
            start = i + 2;
            break;
        }
        i += 1;
    }
    bytes.split_at(end).0.split_at(start).1
}

/// Where the event keyed `key` is defined: what follows the `#` of a
/// derived event's key, like `src/main.rs:12:20`.
const fn key_definition(key: &str) -> &[u8] {
    let bytes = key.as_bytes();
    let start = position(bytes, b'#', bytes.len());
    bytes
        .split_at(if start < bytes.len() {
            start + 1
        } else {
            start
        })
        .1
}

/// The index of the first `byte` in `bytes`, or `otherwise`.
const fn position(bytes: &[u8], byte: u8, otherwise: usize) -> usize {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == byte {
            return i;
        }
        i += 1;
    }
    otherwise
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
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

/// Whether `a` and `b` describe one event type: same hash, then same key.
pub const fn same_event(a: &EventInfo, b: &EventInfo) -> bool {
    a.id == b.id && str_eq(a.key, b.key)
}

/// `0` if no type before `types[index]` is the same type, `index`
/// otherwise: a repeated declaration, which may be spelled differently (an
/// alias), gets a number of its own, so that the impls made for the
/// declarations of one type differ. Each type is known by the events it
/// carries: one for an event, those of its variants for a `OneOf` enum.
pub const fn repeat_of(types: &[&[EventInfo]], index: usize) -> usize {
    let mut i = 0;
    while i < index {
        if same_events(types[i], types[index]) {
            return index;
        }
        i += 1;
    }
    0
}

/// Whether `a` and `b` are the same events in the same order.
pub const fn same_events(a: &[EventInfo], b: &[EventInfo]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !same_event(&a[i], &b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// Orders events by identity: by hash, then by key when hashes collide.
const fn before(a: &Entry, b: &Entry) -> bool {
    if a.id != b.id {
        return a.id < b.id;
    }
    let (a, b) = (a.key.as_bytes(), b.key.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// The steps marked so far in a walk of the graph, and those still to visit.
struct Worklist<const N: usize> {
    marked: [bool; N],
    queue: [usize; N],
    queued: usize,
    visited: usize,
}

impl<const N: usize> Worklist<N> {
    const fn new(seeds: [bool; N]) -> Self {
        let mut work = Self {
            marked: [false; N],
            queue: [0; N],
            queued: 0,
            visited: 0,
        };
        let mut i = 0;
        while i < N {
            if seeds[i] {
                work.mark(i);
            }
            i += 1;
        }
        work
    }

    /// The next marked step to visit.
    const fn next(&mut self) -> Option<usize> {
        if self.visited == self.queued {
            return None;
        }
        self.visited += 1;
        Some(self.queue[self.visited - 1])
    }

    /// Marks `step`, unless it is marked already or is no step.
    const fn mark(&mut self, step: usize) {
        if step < N && !self.marked[step] {
            self.marked[step] = true;
            self.queue[self.queued] = step;
            self.queued += 1;
        }
    }

    /// Marks the steps of the lines of `table` for `probe`.
    const fn mark_lines(&mut self, table: &[Entry], probe: &Entry) {
        let (mut line, end) = lines(table, probe);
        while line < end {
            self.mark(table[line].step);
            line += 1;
        }
    }

    /// Marks the steps of the lines of `table` for each of `events`.
    const fn mark_each(&mut self, table: &[Entry], events: &[EventInfo]) {
        let mut i = 0;
        while i < events.len() {
            self.mark_lines(table, &Entry::event(&events[i], 0));
            i += 1;
        }
    }
}

/// One line of a sorted table: an event (or a step's index as `id`, with
/// an empty `key`) and the step it belongs to.
#[derive(Clone, Copy)]
struct Entry {
    id: u64,
    key: &'static str,
    step: usize,
}

impl Entry {
    /// A line that matches no probe and names no step.
    const NONE: Self = Self {
        id: u64::MAX,
        key: "",
        step: usize::MAX,
    };

    const fn event(event: &EventInfo, step: usize) -> Self {
        Self {
            id: event.id,
            key: event.key,
            step,
        }
    }

    const fn index(index: usize, step: usize) -> Self {
        Self {
            id: index as u64,
            key: "",
            step,
        }
    }
}

/// Sorts `table` with [`before`] (heapsort: constant evaluation has no
/// `sort`, and this needs no second buffer).
const fn sort<const M: usize>(mut table: [Entry; M]) -> [Entry; M] {
    let mut start = M / 2;
    while start > 0 {
        start -= 1;
        table = sift_down(table, start, M);
    }
    let mut end = M;
    while end > 1 {
        end -= 1;
        let first = table[0];
        table[0] = table[end];
        table[end] = first;
        table = sift_down(table, 0, end);
    }
    table
}

const fn sift_down<const M: usize>(
    mut table: [Entry; M],
    mut root: usize,
    end: usize,
) -> [Entry; M] {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return table;
        }
        if child + 1 < end && before(&table[child], &table[child + 1]) {
            child += 1;
        }
        if !before(&table[root], &table[child]) {
            return table;
        }
        let parent = table[root];
        table[root] = table[child];
        table[child] = parent;
        root = child;
    }
}

/// The lines of the sorted `table` for `probe`'s event: `start..end`.
const fn lines(table: &[Entry], probe: &Entry) -> (usize, usize) {
    let start = lower_bound(table, probe);
    let mut end = start;
    while end < table.len() && !before(probe, &table[end]) {
        end += 1;
    }
    (start, end)
}

/// The first line of the sorted `table` that is not before `probe`.
const fn lower_bound(table: &[Entry], probe: &Entry) -> usize {
    let (mut low, mut high) = (0, table.len());
    while low < high {
        let middle = low + (high - low) / 2;
        if before(&table[middle], probe) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

/// How many events the steps of `steps` accept in all: the `A` of their
/// [`Graph`].
pub const fn accept_count(steps: &[StepInfo]) -> usize {
    let (mut total, mut i) = (0, 0);
    while i < steps.len() {
        total += steps[i].accepts.len();
        i += 1;
    }
    total
}

/// How many events the steps of `steps` return or send in all: the `R` of
/// their [`Graph`].
pub const fn output_count(steps: &[StepInfo]) -> usize {
    let (mut total, mut i) = (0, 0);
    while i < steps.len() {
        total += steps[i].returns.len() + steps[i].sends.len();
        i += 1;
    }
    total
}

/// How many steps have their failures caught by another: the `C` of their
/// [`Graph`].
pub const fn catch_count(steps: &[StepInfo]) -> usize {
    let (mut total, mut i) = (0, 0);
    while i < steps.len() {
        if catcher_of(steps, i).is_some() {
            total += 1;
        }
        i += 1;
    }
    total
}

/// The index of the step named `name`, if there is one.
const fn step_named(steps: &[StepInfo], name: &str) -> Option<usize> {
    let mut i = 0;
    while i < steps.len() {
        if str_eq(steps[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// What the checks know of a workflow of `N` steps, which accept `A`
/// events, return or send `R` events and catch `C` steps in all; computed
/// once per workflow.
pub struct Graph<const N: usize, const A: usize, const R: usize, const C: usize> {
    steps: &'static [StepInfo; N],
    /// Each event a step accepts, sorted by event.
    accepts: [Entry; A],
    /// Each event a step returns or sends, sorted by event.
    outputs: [Entry; R],
    /// A line per step caught (`id`) and the step catching it.
    caught: [Entry; C],
    /// A line per step catching (`id`) and a step it catches.
    catching: [Entry; C],
    /// The steps a run can reach from its start event, or from an input
    /// event its caller sends.
    reachable: [bool; N],
    /// The steps that have a path to a stop event.
    stops: [bool; N],
    has_start: bool,
    takes_input: bool,
    fans_out: bool,
}

impl<const N: usize, const A: usize, const R: usize, const C: usize> Graph<N, A, R, C> {
    /// Analyses `steps`; `A`, `R` and `C` are their [`accept_count`],
    /// [`output_count`] and [`catch_count`].
    pub const fn of(steps: &'static [StepInfo; N]) -> Self {
        let mut accepts = [Entry::NONE; A];
        let mut outputs = [Entry::NONE; R];
        let mut caught = [Entry::NONE; C];
        let mut catching = [Entry::NONE; C];
        let (mut accepted, mut output, mut catch) = (0, 0, 0);
        let mut entries = [false; N];
        let mut stopping = [false; N];
        let (mut has_start, mut takes_input, mut fans_out) = (false, false, false);
        let mut i = 0;
        while i < N {
            let step = &steps[i];
            let mut j = 0;
            while j < step.accepts.len() {
                accepts[accepted] = Entry::event(&step.accepts[j], i);
                accepted += 1;
                j += 1;
            }
            let starts = any_of_kind(step.accepts, EventKind::Start);
            let inputs = any_of_kind(step.accepts, EventKind::Input);
            entries[i] = starts || inputs;
            has_start = has_start || starts;
            takes_input = takes_input || inputs;
            fans_out = fans_out || step.fans_out;
            stopping[i] = any_stop(step.returns) || any_stop(step.sends);
            j = 0;
            while j < step.returns.len() {
                outputs[output] = Entry::event(&step.returns[j], i);
                output += 1;
                j += 1;
            }
            j = 0;
            while j < step.sends.len() {
                outputs[output] = Entry::event(&step.sends[j], i);
                output += 1;
                j += 1;
            }
            if let Some(catcher) = catcher_of(steps, i) {
                caught[catch] = Entry::index(i, catcher);
                catching[catch] = Entry::index(catcher, i);
                catch += 1;
            }
            i += 1;
        }
        let mut graph = Self {
            steps,
            accepts: sort(accepts),
            outputs: sort(outputs),
            caught: sort(caught),
            catching: sort(catching),
            reachable: [false; N],
            stops: [false; N],
            has_start,
            takes_input,
            fans_out,
        };
        graph.reachable = graph.close(entries, true);
        graph.stops = graph.close(stopping, false);
        graph
    }

    /// Extends `seeds` along the edges of the graph: `forward`, to every
    /// step that a marked step feeds; backward, to every step that feeds a
    /// marked one. Each step is visited once.
    const fn close(&self, seeds: [bool; N], forward: bool) -> [bool; N] {
        let mut work = Worklist::new(seeds);
        while let Some(index) = work.next() {
            let step = &self.steps[index];
            if forward {
                work.mark_each(&self.accepts, step.returns);
                work.mark_each(&self.accepts, step.sends);
                work.mark_lines(&self.caught, &Entry::index(index, 0));
            } else {
                work.mark_each(&self.outputs, step.accepts);
                work.mark_lines(&self.catching, &Entry::index(index, 0));
            }
        }
        work.marked
    }

    /// Whether another event of the graph has `event`'s name, and where.
    const fn namesake(&self, event: &EventInfo) -> Namesake {
        match self.namesake_of(event, Uses::All) {
            None => Namesake::None,
            Some((other, _)) if bytes_eq(key_path(other.key), key_path(event.key)) => {
                Namesake::SamePath
            }
            Some(_) => Namesake::OtherPath,
        }
    }

    /// Whether some step accepts `event`, alone or gathered.
    const fn accepted(&self, event: &EventInfo) -> bool {
        let (start, end) = lines(&self.accepts, &Entry::event(event, 0));
        start < end
    }

    /// Whether some step returns or sends `event`.
    const fn produced(&self, event: &EventInfo) -> bool {
        let (start, end) = lines(&self.outputs, &Entry::event(event, 0));
        start < end
    }

    /// Whether `event` leaves the graph unintentionally: not a stop event,
    /// not outbound, and accepted by no step.
    const fn unaccepted(&self, event: &EventInfo) -> bool {
        matches!(
            event.kind,
            EventKind::Regular | EventKind::Start | EventKind::Input
        ) && !self.accepted(event)
    }

    /// Whether the error about `event` being accepted by no step is this
    /// step's to report: not if a step accepts another event of its name,
    /// whose error, that nothing produces it, says which is which.
    const fn reported_unaccepted(&self, event: &EventInfo) -> bool {
        self.unaccepted(event) && self.namesake_of(event, Uses::Accepted).is_none()
    }

    const fn any_unaccepted(&self, events: &[EventInfo]) -> bool {
        let mut i = 0;
        while i < events.len() {
            if self.unaccepted(&events[i]) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn count_reported(&self, events: &[EventInfo]) -> usize {
        let (mut n, mut i) = (0, 0);
        while i < events.len() {
            if self.reported_unaccepted(&events[i]) {
                n += 1;
            }
            i += 1;
        }
        n
    }

    /// Another event of `event`'s name among the `uses` of the steps'
    /// events, and the step that has it.
    const fn namesake_of(&self, event: &EventInfo, uses: Uses) -> Option<(&EventInfo, usize)> {
        let mut i = 0;
        while i < N {
            let step = &self.steps[i];
            let accepts = step.accepts;
            let lists: [&[EventInfo]; 5] = match uses {
                Uses::Accepted => [accepts, &[], &[], &[], &[]],
                Uses::Produced => [step.returns, step.sends, &[], &[], &[]],
                Uses::All => [
                    accepts,
                    step.returns,
                    step.sends,
                    step.writes,
                    step.waits_for,
                ],
            };
            let mut list = 0;
            while list < lists.len() {
                let mut j = 0;
                while j < lists[list].len() {
                    let other = &lists[list][j];
                    if str_eq(other.name, event.name) && !same_event(other, event) {
                        return Some((other, i));
                    }
                    j += 1;
                }
                list += 1;
            }
            i += 1;
        }
        None
    }

    /// Whether every event the step accepts is produced by some step (or
    /// is a start or an input event, which the caller produces, or a
    /// caught failure).
    const fn input_produced(&self, step: usize) -> bool {
        self.first_unproduced(step).is_none()
    }

    /// The first event the step accepts that no step produces, if any: see
    /// [`input_produced`](Self::input_produced).
    const fn first_unproduced(&self, step: usize) -> Option<&EventInfo> {
        let info = &self.steps[step];
        if info.catches_failures() {
            return None;
        }
        let mut i = 0;
        while i < info.accepts.len() {
            let event = &info.accepts[i];
            if matches!(event.kind, EventKind::Regular | EventKind::Outbound)
                && !self.produced(event)
            {
                return Some(event);
            }
            i += 1;
        }
        None
    }

    const fn outputs_all_accepted(&self, step: usize) -> bool {
        let info = &self.steps[step];
        !self.any_unaccepted(info.returns) && !self.any_unaccepted(info.sends)
    }

    /// Whether some step returns or sends an event that no step accepts, or
    /// accepts one that nothing produces.
    const fn has_broken_edge(&self) -> bool {
        let mut i = 0;
        while i < N {
            if !self.input_produced(i) || !self.outputs_all_accepted(i) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn start_reaches_stop(&self) -> bool {
        let mut i = 0;
        while i < N {
            if self.reachable[i] && self.stops[i] {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// Whether the step at index `from` returns or sends what the step at
/// `to` accepts, or `to` catches the failures of `from`.
pub const fn feeds(steps: &[StepInfo], from: usize, to: usize) -> bool {
    let (from_info, to_info) = (&steps[from], &steps[to]);
    let mut i = 0;
    while i < to_info.accepts.len() {
        let accepted = &to_info.accepts[i];
        if contains(from_info.returns, accepted) || contains(from_info.sends, accepted) {
            return true;
        }
        i += 1;
    }
    matches!(catcher_of(steps, from), Some(catcher) if catcher == to)
}

/// Whether `events` holds `event`.
pub const fn contains(events: &[EventInfo], event: &EventInfo) -> bool {
    let mut i = 0;
    while i < events.len() {
        if same_event(&events[i], event) {
            return true;
        }
        i += 1;
    }
    false
}

pub const fn contains_name(names: &[&str], name: &str) -> bool {
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
    first_of_kind(events, EventKind::Stop).is_some()
}

const fn any_of_kind(events: &[EventInfo], kind: EventKind) -> bool {
    first_of_kind(events, kind).is_some()
}

/// The first event of `events` of `kind`.
const fn first_of_kind(events: &[EventInfo], kind: EventKind) -> Option<&EventInfo> {
    let mut i = 0;
    while i < events.len() {
        if events[i].kind as u8 == kind as u8 {
            return Some(&events[i]);
        }
        i += 1;
    }
    None
}

/// Whether a step accepts an input event: then runs take events from their
/// caller, and wait for them when they have nothing else to do.
pub const fn takes_input(steps: &[StepInfo]) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if any_of_kind(steps[i].accepts, EventKind::Input) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether a step accepts an input event or waits for one: then runs look
/// at what their caller sends.
pub const fn uses_input(steps: &[StepInfo]) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if !steps[i].waits_for.is_empty() {
            return true;
        }
        i += 1;
    }
    takes_input(steps)
}

/// No step may accept a stop event.
pub const fn accepts_stop<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    let Some(stop) = first_of_kind(info.accepts, EventKind::Stop) else {
        return Verdict::PASS;
    };
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` accepts the stop event `")
        .push_event(graph, stop)
        .push("`, but a stop event ends the run and never reaches a step: accept an ordinary event instead, and return the stop event from the step that finishes the run")
}

/// Every accepted event must be produced by some step.
pub const fn input_never_produced<
    const N: usize,
    const A: usize,
    const R: usize,
    const C: usize,
>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let Some(event) = graph.first_unproduced(step) else {
        return Verdict::PASS;
    };
    let info = &graph.steps[step];
    let verdict = Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` accepts `")
        .push_event(graph, event)
        .push("`, but no step returns or sends it: return `")
        .push_event(graph, event)
        .push("` from a step, or send it with `ctx.send_event` from a step marked `#[step(sends(")
        .push_event(graph, event)
        .push("))]`");
    match graph.namesake_of(event, Uses::Produced) {
        Some((other, producer)) => verdict
            .push("; step `")
            .push(graph.steps[producer].name)
            .push("` returns or sends `")
            .push_event(graph, other)
            .push("`, another type of the same name"),
        None => verdict,
    }
}

/// Every returned event must be accepted by some step, unless it is a stop
/// or outbound event.
pub const fn returns_unaccepted<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    outputs_unaccepted(graph, step, graph.steps[step].returns, "returns")
}

/// Every event declared in `sends(...)` must be accepted by some step,
/// unless it is a stop or outbound event.
pub const fn sends_unaccepted<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    outputs_unaccepted(graph, step, graph.steps[step].sends, "sends")
}

const fn outputs_unaccepted<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
    events: &[EventInfo],
    verb: &str,
) -> Verdict {
    let total = graph.count_reported(events);
    if total == 0 {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(graph.steps[step].name)
        .push("` ")
        .push(verb)
        .push(" ")
        .push_unaccepted(graph, events)
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
pub const fn writes_stop<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    let mut i = 0;
    while i < info.writes.len() {
        let event = &info.writes[i];
        if matches!(event.kind, EventKind::Stop) {
            return Verdict::fail()
                .push("step `")
                .push(info.name)
                .push("` writes the stop event `")
                .push_event(graph, event)
                .push("` to the event stream, which does not end the run: return it from the step, or send it with `sends(")
                .push_event(graph, event)
                .push(")`");
        }
        i += 1;
    }
    Verdict::PASS
}

/// A step may only wait for input events: those are what the run's caller
/// sends in.
pub const fn waits_for_other_than_input<
    const N: usize,
    const A: usize,
    const R: usize,
    const C: usize,
>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    let mut i = 0;
    while i < info.waits_for.len() {
        let event = &info.waits_for[i];
        if !matches!(event.kind, EventKind::Input) {
            return Verdict::fail()
                .push("step `")
                .push(info.name)
                .push("` waits for `")
                .push_event(graph, event)
                .push("`, which is not an input event, and only the run's caller sends events a step waits for: derive `")
                .push_event(graph, event)
                .push("` with `#[event(input)]`");
        }
        i += 1;
    }
    Verdict::PASS
}

/// The steps a step catches the failures of must exist.
pub const fn catches_unknown_step<
    const N: usize,
    const A: usize,
    const R: usize,
    const C: usize,
>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let steps = graph.steps;
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
    while j < N {
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
        if step_named(steps, step.catches[i]).is_none() {
            return Some(step.catches[i]);
        }
        i += 1;
    }
    None
}

/// A step that catches failures accepts the event that describes them.
pub const fn catcher_without_failure_event<
    const N: usize,
    const A: usize,
    const R: usize,
    const C: usize,
>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    if !info.catches_failures() || (!info.gathers && accepts_key(info, FAILURE_EVENT_KEY)) {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` catches failures, so it accepts the event that describes one, a failure at a time: take `failed: StepFailedEvent` instead of ")
        .push(if info.gathers { "a `Vec` of " } else { "" })
        .push_events(graph, info.accepts)
}

/// A step that takes a `Vec<E>` gathers the branches of a fan-out, so some
/// step must fan out: return a `Vec` of events.
pub const fn gathers_without_fan_out<
    const N: usize,
    const A: usize,
    const R: usize,
    const C: usize,
>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    if !info.gathers || graph.fans_out {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` takes a `Vec<")
        .push_event(graph, &info.accepts[0])
        .push(">`, which gathers the branches of a fan-out, but no step fans out: return a `Vec` of events from the step that starts the branches, like `Result<Vec<Job>>`, or take one `")
        .push_event(graph, &info.accepts[0])
        .push("` at a time")
}

/// Whether `step` accepts the event keyed `key`.
const fn accepts_key(step: &StepInfo, key: &str) -> bool {
    let mut i = 0;
    while i < step.accepts.len() {
        if str_eq(step.accepts[i].key, key) {
            return true;
        }
        i += 1;
    }
    false
}

/// The key of [`StepFailedEvent`](crate::StepFailedEvent).
const FAILURE_EVENT_KEY: &str = <crate::failure::StepFailedEvent as crate::Event>::KEY;

/// Some step must accept a start event.
pub const fn no_start<const N: usize, const A: usize, const R: usize, const C: usize>(
    workflow: &str,
    graph: &Graph<N, A, R, C>,
) -> Verdict {
    if graph.has_start {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("no step of `")
        .push(workflow)
        .push("` accepts a start event, so no run could begin: add a step that takes `StartEvent`, or your own event derived with `#[event(start)]`")
}

/// A path must lead from the start event to a stop event.
pub const fn no_path_to_stop<const N: usize, const A: usize, const R: usize, const C: usize>(
    workflow: &str,
    graph: &Graph<N, A, R, C>,
) -> Verdict {
    // An event that goes nowhere, or that nothing produces, breaks the
    // path, and has an error of its own, on its token.
    if !graph.has_start || graph.start_reaches_stop() || graph.has_broken_edge() {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("no path leads from the start event of `")
        .push(workflow)
        .push("` to a stop event, so no run could finish: make a step reachable from the start return `StopEvent<T>` (or your own event derived with `#[event(stop)]`)")
}

/// Every step must be reachable from the start event.
pub const fn unreachable<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    // A step whose input nothing produces, or whose `catches(...)` is
    // wrong, has its own error.
    if !graph.has_start
        || !graph.input_produced(step)
        || graph.reachable[step]
        || has_catch_error(graph.steps, step)
    {
        return Verdict::PASS;
    }
    if info.catches_failures() {
        return Verdict::fail()
            .push("step `")
            .push(info.name)
            .push("` can never run: no step whose failures it catches is reachable from the start event")
            .push(if info.catches_all {
                ", as every other step's failures go to the step that names it in `catches(...)`; remove the step, or a step's name from the other `catches(...)`"
            } else {
                "; catch a step on a path from the start, or remove the step"
            });
    }
    let verdict = Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` can never run: it accepts ")
        .push_events(graph, info.accepts);
    match info.accepts {
        [one] => verdict
            .push(", and no step reachable from the start event returns or sends that; produce `")
            .push_event(graph, one)
            .push("` on a path from the start, or remove the step"),
        _ => verdict.push(", and no step reachable from the start event returns or sends any of them; produce one on a path from the start, or remove the step"),
    }
}

/// Whether the `catches(...)` of the step at index `step` has an error of
/// its own: a name that is no step, that another step catches too, or of a
/// step that catches failures, or a second `catches(*)`.
const fn has_catch_error(steps: &[StepInfo], step: usize) -> bool {
    if unknown_catch(steps, &steps[step]).is_some() || earlier_catch_all(steps, step).is_some() {
        return true;
    }
    let mut nth = 0;
    while nth < steps[step].catches.len() {
        if earlier_catcher(steps, step, nth).is_some() || caught_catcher(steps, step, nth).is_some()
        {
            return true;
        }
        nth += 1;
    }
    false
}

/// A step's failures go to one step: the `nth` name in the `catches(...)`
/// of the step at index `step` must not be named by an earlier step, nor
/// earlier in the list.
pub const fn caught_twice<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
    nth: usize,
) -> Verdict {
    let steps = graph.steps;
    let info = &steps[step];
    let Some(other) = earlier_catcher(steps, step, nth) else {
        return Verdict::PASS;
    };
    let name = info.catches[nth];
    if other == step {
        return Verdict::fail()
            .push("step `")
            .push(info.name)
            .push("` names `")
            .push(name)
            .push("` twice in `catches(...)`: name it once");
    }
    Verdict::fail()
        .push("the failures of `")
        .push(name)
        .push("` are caught by step `")
        .push(steps[other].name)
        .push("` already, and a step's failures go to one step: remove `")
        .push(name)
        .push("` from the `catches(...)` of `")
        .push(info.name)
        .push("` or of `")
        .push(steps[other].name)
        .push("`")
}

/// The step that names the `nth` name of `step`'s `catches(...)` before
/// it does: an earlier step, or `step` itself earlier in the list. Not
/// for a name that is no step, nor one of a step that catches failures,
/// which have errors of their own.
const fn earlier_catcher(steps: &[StepInfo], step: usize, nth: usize) -> Option<usize> {
    let name = steps[step].catches[nth];
    match step_named(steps, name) {
        Some(target) if !steps[target].catches_failures() => {}
        _ => return None,
    }
    let mut i = 0;
    while i <= step {
        let names = steps[i].catches;
        let end = if i == step { nth } else { names.len() };
        let mut j = 0;
        while j < end {
            if str_eq(names[j], name) {
                return Some(i);
            }
            j += 1;
        }
        i += 1;
    }
    None
}

/// The failures of a step that catches failures fail the run: the `nth`
/// name in the `catches(...)` of the step at index `step` must not be such
/// a step.
pub const fn catches_a_catcher<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
    nth: usize,
) -> Verdict {
    let steps = graph.steps;
    let info = &steps[step];
    let Some(target) = caught_catcher(steps, step, nth) else {
        return Verdict::PASS;
    };
    if target == step {
        return Verdict::fail()
            .push("step `")
            .push(info.name)
            .push("` catches its own failures, but a failure of a step that catches failures fails the run: remove `")
            .push(info.name)
            .push("` from its `catches(...)`");
    }
    Verdict::fail()
        .push("step `")
        .push(info.name)
        .push("` catches the failures of `")
        .push(steps[target].name)
        .push("`, which catches failures itself, and a failure of a step that catches failures fails the run: remove `")
        .push(steps[target].name)
        .push("` from the `catches(...)` of `")
        .push(info.name)
        .push("`")
}

/// The step that the `nth` name of `step`'s `catches(...)` names, if it
/// catches failures itself.
const fn caught_catcher(steps: &[StepInfo], step: usize, nth: usize) -> Option<usize> {
    match step_named(steps, steps[step].catches[nth]) {
        Some(target) if steps[target].catches_failures() => Some(target),
        _ => None,
    }
}

/// A failure goes to one step: only one step catches every step's,
/// with `catches(*)`.
pub const fn second_catch_all<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let Some(first) = earlier_catch_all(graph.steps, step) else {
        return Verdict::PASS;
    };
    Verdict::fail()
        .push("step `")
        .push(graph.steps[step].name)
        .push("` catches the failures of every step, as step `")
        .push(graph.steps[first].name)
        .push("` does already, and a failure goes to one step: keep one `catches(*)`")
}

/// The step before `step` that catches every step's failures, if `step`
/// does too.
const fn earlier_catch_all(steps: &[StepInfo], step: usize) -> Option<usize> {
    if !steps[step].catches_all {
        return None;
    }
    let mut i = 0;
    while i < step {
        if steps[i].catches_all {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Every reachable step must have a path to a stop event, unless the run's
/// caller can go on with it: a run whose steps accept input events waits for
/// them rather than stalling.
pub const fn dead_end<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    if graph.takes_input
        || !graph.reachable[step]
        || graph.stops[step]
        || !graph.start_reaches_stop()
        || !graph.outputs_all_accepted(step)
    {
        return Verdict::PASS;
    }
    Verdict::fail()
        .push("step `")
        .push(graph.steps[step].name)
        .push("` is a dead end: nothing it returns or sends leads to a stop event, so a run that reaches it can only stall; return or send an event that leads on to a stop event")
}

/// Two event types of one workflow must not share a name: a run records its
/// events by [`Event::NAME`](crate::Event::NAME), and could not tell them
/// apart. Reported once for each type that has the name of an earlier one,
/// at the first step that uses it.
pub const fn name_shared<const N: usize, const A: usize, const R: usize, const C: usize>(
    graph: &Graph<N, A, R, C>,
    step: usize,
) -> Verdict {
    let info = &graph.steps[step];
    let lists = events_of(info);
    let mut list = 0;
    while list < lists.len() {
        let mut j = 0;
        while j < lists[list].len() {
            let event = &lists[list][j];
            if let Some((first, owner)) = graph.first_use(event, Match::Name)
                && !same_event(first, event)
                && matches!(graph.first_use(event, Match::Type), Some((_, at)) if at == step)
            {
                let verdict = Verdict::fail()
                    .push("step `")
                    .push(info.name)
                    .push("` uses the event `")
                    .push_event(graph, event)
                    .push("`, and ");
                let verdict = if owner == step {
                    verdict.push("also `")
                } else {
                    verdict
                        .push("step `")
                        .push(graph.steps[owner].name)
                        .push("` uses `")
                };
                return verdict
                    .push_event(graph, first)
                    .push("`: two event types of one workflow cannot share the name `")
                    .push(event.name)
                    .push("`, by which a run records its events; give one of them a name of its own with `#[event(name = \"...\")]` on its definition");
            }
            j += 1;
        }
        list += 1;
    }
    Verdict::PASS
}

/// Every list of the events a step uses: those it accepts, returns, sends,
/// writes and waits for.
const fn events_of(step: &StepInfo) -> [&'static [EventInfo]; 5] {
    [
        step.accepts,
        step.returns,
        step.sends,
        step.writes,
        step.waits_for,
    ]
}

/// What [`Graph::first_use`] looks for.
#[derive(Clone, Copy)]
enum Match {
    /// An event of the same name.
    Name,
    /// The same event type.
    Type,
}

impl<const N: usize, const A: usize, const R: usize, const C: usize> Graph<N, A, R, C> {
    /// The first event that matches `event` among the events of the steps,
    /// in the order of the steps and of [`events_of`], and the step that
    /// uses it.
    const fn first_use(&self, event: &EventInfo, by: Match) -> Option<(&EventInfo, usize)> {
        let mut i = 0;
        while i < N {
            let lists = events_of(&self.steps[i]);
            let mut list = 0;
            while list < lists.len() {
                let mut j = 0;
                while j < lists[list].len() {
                    let other = &lists[list][j];
                    let found = match by {
                        Match::Name => str_eq(other.name, event.name),
                        Match::Type => same_event(other, event),
                    };
                    if found {
                        return Some((other, i));
                    }
                    j += 1;
                }
                list += 1;
            }
            i += 1;
        }
        None
    }
}
