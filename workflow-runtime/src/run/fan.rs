//! Fan-outs under way in a run: a step that returns a `Vec` of events starts
//! one branch per element, and a step that takes a `Vec<E>` gathers the `E`s
//! those branches produce, once every branch has finished, in branch order.
//!
//! Each queued or running invocation carries the [`Branch`] it belongs to;
//! the events it returns stay in its branch. A group counts what is live in
//! its branches: their invocations, and the fan-outs nested in them. When the
//! count falls to zero the group is done, whether its branches produced an
//! `E`, nothing, or there were none, and its gathering steps are queued in
//! the branch the fan-out itself was in. Events sent through a context leave
//! the branch.

use std::collections::HashMap;

use crate::check::feeds;
use crate::event::{AnyEvent, EventInfo};
use crate::workflow::StepInfo;

/// The branch of a fan-out an invocation belongs to, or none.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Branch(u64);

/// What a run of a workflow keeps with each queued or running invocation:
/// its [`Branch`] if a step of the workflow fans out, or nothing at all.
#[doc(hidden)]
pub trait BranchTag: Copy + Send + Unpin + 'static {
    /// The tag of `branch`.
    fn of(branch: Branch) -> Self;
    /// The branch tagged.
    fn branch(self) -> Branch;
}

impl BranchTag for Branch {
    #[inline(always)]
    fn of(branch: Branch) -> Self {
        branch
    }

    #[inline(always)]
    fn branch(self) -> Branch {
        self
    }
}

/// The tag of workflows in which no step fans out: takes no room.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct NoBranch;

impl BranchTag for NoBranch {
    #[inline(always)]
    fn of(_branch: Branch) -> Self {
        Self
    }

    #[inline(always)]
    fn branch(self) -> Branch {
        Branch::NONE
    }
}

/// Chooses the [`BranchTag`] of a workflow from whether a step fans out, a
/// constant that `workflow!` computes from the steps' return types.
#[doc(hidden)]
pub struct Select<const FANS_OUT: bool>;

#[doc(hidden)]
pub trait SelectBranch {
    type Branch: BranchTag;
}

/// Whether any of the flags is set: whether any step of a workflow fans
/// out, from each step's [`Emit::FANS_OUT`](crate::Emit::FANS_OUT).
#[doc(hidden)]
pub const fn any_fans_out(flags: &[bool]) -> bool {
    let mut i = 0;
    while i < flags.len() {
        if flags[i] {
            return true;
        }
        i += 1;
    }
    false
}

impl SelectBranch for Select<true> {
    type Branch = Branch;
}

impl SelectBranch for Select<false> {
    type Branch = NoBranch;
}

impl Branch {
    /// Outside any fan-out.
    pub(crate) const NONE: Self = Self(0);

    fn new(group: u32, index: u32) -> Self {
        Self((u64::from(group) + 1) << 32 | u64::from(index))
    }

    /// The group and the branch's index in it, if in one.
    /// The branch as a number, for a snapshot.
    pub(crate) fn raw(self) -> u64 {
        self.0
    }

    /// The branch a snapshot wrote as [`raw`](Self::raw).
    pub(crate) fn from_raw(raw: u64) -> Self {
        Self(raw)
    }

    /// The fan-out group the branch belongs to, if any.
    pub(crate) fn group(self) -> Option<u32> {
        self.split().map(|(group, _)| group)
    }

    fn split(self) -> Option<(u32, u32)> {
        let group = (self.0 >> 32) as u32;
        (group > 0).then(|| (group - 1, self.0 as u32))
    }
}

/// The fan-outs of one run, and the branch whose events are being routed.
#[derive(Default)]
pub(crate) struct Fans {
    /// Where the events being routed belong.
    pub(crate) current: Branch,
    next_group: u32,
    groups: HashMap<u32, Group>,
}

struct Group {
    /// The step that fanned out.
    from: usize,
    /// The branch the fan-out was in.
    parent: Branch,
    /// Invocations queued or running in its branches, and fan-outs nested
    /// in them that are not done.
    live: usize,
    /// The events gathered so far: branch index, event type key, event.
    gathered: Vec<(u32, &'static str, AnyEvent)>,
}

/// A group that is done: what its gathering steps receive.
/// A fan-out group a snapshot held: its number, the step that fanned out,
/// its parent branch, how many are live in it besides its invocations, and
/// what it gathered, each event with its branch index and its type's key.
pub(crate) type RestoredGroup = (
    u32,
    usize,
    Branch,
    usize,
    Vec<(u32, &'static str, AnyEvent)>,
);

/// A fan-out group as a snapshot sees it.
pub(crate) struct GroupRecord<'a> {
    pub(crate) id: u32,
    pub(crate) from: usize,
    pub(crate) parent: Branch,
    pub(crate) live: usize,
    pub(crate) gathered: Vec<(u32, &'a AnyEvent)>,
}

pub(crate) struct Done {
    /// The branch to queue the gathering steps in.
    pub(crate) parent: Branch,
    /// Each gathering step, with its events in branch order.
    pub(crate) gathers: Vec<(usize, Vec<AnyEvent>)>,
}

impl Fans {
    /// Starts a group for a fan-out by step `from` in the current branch;
    /// returns its id. Its branches are [`branch`](Self::branch)`(id, i)`.
    pub(crate) fn open(&mut self, from: usize) -> u32 {
        let id = self.next_group;
        self.next_group += 1;
        let parent = self.current;
        self.add_live(parent);
        self.groups.insert(
            id,
            Group {
                from,
                parent,
                live: 0,
                gathered: Vec::new(),
            },
        );
        id
    }

    /// Branch `index` of group `group`.
    pub(crate) fn branch(group: u32, index: usize) -> Branch {
        Branch::new(group, u32::try_from(index).unwrap_or(u32::MAX))
    }

    /// One more invocation, or nested fan-out, is live in `branch`.
    pub(crate) fn add_live(&mut self, branch: Branch) {
        if let Some((group, _)) = branch.split() {
            self.group(group).live += 1;
        }
    }

    /// Keeps `event`, of the type keyed `key`, for the steps that gather
    /// the current branch's group. The current branch is one.
    pub(crate) fn gather(&mut self, key: &'static str, event: AnyEvent) {
        let (group, index) = self
            .current
            .split()
            .expect("events are gathered in a branch");
        self.group(group).gathered.push((index, key, event));
    }

    /// One invocation, or nested fan-out, of `branch` has ended: the groups
    /// that are done as a result, innermost first, for `steps`.
    pub(crate) fn end_live(&mut self, branch: Branch, steps: &[StepInfo]) -> Option<Done> {
        let (group, _) = branch.split()?;
        let live = &mut self.group(group).live;
        *live -= 1;
        (*live == 0).then(|| self.close(group, steps))
    }

    /// Closes group `id` if nothing is live in it (a fan-out of no
    /// elements, or whose elements were all gathered at once).
    pub(crate) fn close_if_idle(&mut self, id: u32, steps: &[StepInfo]) -> Option<Done> {
        (self.group(id).live == 0).then(|| self.close(id, steps))
    }

    fn close(&mut self, id: u32, steps: &[StepInfo]) -> Done {
        let group = self.groups.remove(&id).expect("a group is closed once");
        let mut gathered = group.gathered;
        gathered.sort_by_key(|(index, _, _)| *index);
        let gathering = gathers_of(steps, group.from);
        let gathers = gathering
            .iter()
            .enumerate()
            .map(|(nth, &step)| {
                // A gathering step takes a `Vec` of one event type.
                let key = steps[step].accepts[0].key;
                let shared = gathering[nth + 1..]
                    .iter()
                    .any(|&later| steps[later].accepts[0].key == key);
                let events = if shared {
                    let of_key = gathered.iter().filter(|(_, of, _)| *of == key);
                    of_key.map(|(_, _, event)| event.clone()).collect()
                } else {
                    // The last step to gather this type takes the events.
                    let (taken, kept) = std::mem::take(&mut gathered)
                        .into_iter()
                        .partition(|(_, of, _)| *of == key);
                    gathered = kept;
                    taken
                        .into_iter()
                        .map(|(_, _, event)| event)
                        .collect::<Vec<_>>()
                };
                (step, events)
            })
            .collect();
        Done {
            parent: group.parent,
            gathers,
        }
    }

    /// The open groups, for a snapshot: each one's number, the step that
    /// fanned out, its parent branch, how many are live in it, and what it
    /// gathered, with each event's branch index.
    pub(crate) fn snapshot(&self) -> (u32, Vec<GroupRecord<'_>>) {
        let mut groups: Vec<GroupRecord<'_>> = self
            .groups
            .iter()
            .map(|(&id, group)| GroupRecord {
                id,
                from: group.from,
                parent: group.parent,
                live: group.live,
                gathered: group
                    .gathered
                    .iter()
                    .map(|(index, _, event)| (*index, event))
                    .collect(),
            })
            .collect();
        groups.sort_by_key(|group| group.id);
        (self.next_group, groups)
    }

    /// The fan-outs a snapshot held: `groups` as [`snapshot`](Self::snapshot)
    /// gives them, each gathered event with the key of its type.
    pub(crate) fn restore(next_group: u32, groups: Vec<RestoredGroup>) -> Self {
        Self {
            current: Branch::NONE,
            next_group,
            groups: groups
                .into_iter()
                .map(|(id, from, parent, live, gathered)| {
                    (
                        id,
                        Group {
                            from,
                            parent,
                            live,
                            gathered,
                        },
                    )
                })
                .collect(),
        }
    }

    fn group(&mut self, id: u32) -> &mut Group {
        self.groups
            .get_mut(&id)
            .expect("a branch's group is open while the branch is live")
    }
}

/// The steps that gather the branches of a fan-out by step `from`: those
/// that take a `Vec` and are reached from `from`'s branches without passing
/// through them; a fan-out nested on the way is passed over to what its own
/// gathering steps lead to.
pub(crate) fn gathers_of(steps: &[StepInfo], from: usize) -> Vec<usize> {
    let mut inside = vec![false; steps.len()];
    gathers_within(steps, from, &mut inside)
}

fn gathers_within(steps: &[StepInfo], from: usize, inside: &mut [bool]) -> Vec<usize> {
    inside[from] = true;
    let mut seen = vec![false; steps.len()];
    let mut queue = fed_by(steps, from);
    let mut found = Vec::new();
    while let Some(step) = queue.pop() {
        if std::mem::replace(&mut seen[step], true) {
            continue;
        }
        if steps[step].gathers {
            found.push(step);
        } else if steps[step].fans_out && !inside[step] {
            for gather in gathers_within(steps, step, inside) {
                queue.extend(fed_by(steps, gather));
            }
        } else {
            queue.extend(fed_by(steps, step));
        }
    }
    inside[from] = false;
    found.sort_unstable();
    found
}

/// The steps that step `from` leads to, as the graph checks see it: what
/// it returns or sends, or its failures.
fn fed_by(steps: &[StepInfo], from: usize) -> Vec<usize> {
    (0..steps.len())
        .filter(|&to| feeds(steps, from, to))
        .collect()
}

/// Whether a step gathers events of the type `event`.
pub(crate) const fn gathered(steps: &[StepInfo], event: &EventInfo) -> bool {
    takes(steps, event, true)
}

/// Whether a step takes events of the type `event` one at a time.
pub(crate) const fn accepted_singly(steps: &[StepInfo], event: &EventInfo) -> bool {
    takes(steps, event, false)
}

const fn takes(steps: &[StepInfo], event: &EventInfo, gathering: bool) -> bool {
    let mut i = 0;
    while i < steps.len() {
        if steps[i].gathers == gathering && crate::check::contains(steps[i].accepts, event) {
            return true;
        }
        i += 1;
    }
    false
}
