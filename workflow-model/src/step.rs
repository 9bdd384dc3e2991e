//! [`StepInfo`]: a step as the compile-time graph knows it, in the table
//! that `workflow!` builds.

use std::time::Duration;

use crate::event::EventInfo;
use crate::retry::RetryPolicy;

/// A step as the compile-time graph knows it.
#[derive(Debug, Clone, Copy)]
pub struct StepInfo {
    /// The method's name.
    pub name: &'static str,
    /// The event types it accepts: one, or each variant's of a
    /// `#[derive(OneOf)]` enum it takes.
    pub accepts: &'static [EventInfo],
    /// The event types it may return.
    pub returns: &'static [EventInfo],
    /// Whether it returns a `Vec` of events, one branch of a fan-out each.
    pub fans_out: bool,
    /// Whether it takes a `Vec` of the events it accepts, gathered from the
    /// branches of a fan-out once they have all finished.
    pub gathers: bool,
    /// The event types it declares with `#[step(sends(...))]`.
    pub sends: &'static [EventInfo],
    /// The event types it declares with `#[step(writes(...))]`, which go to
    /// the caller's event stream and to no step.
    pub writes: &'static [EventInfo],
    /// The input events it declares with `#[step(waits_for(...))]`, which
    /// it waits for from the run's caller.
    pub waits_for: &'static [EventInfo],
    /// How many of its invocations may run at once within one run.
    pub num_workers: usize,
    /// Whether each of its invocations runs as a task of its own on tokio's
    /// worker pool (`#[step(spawn)]`), rather than in the run's task.
    pub spawn: bool,
    /// How it is tried again after an error (`#[step(retry = ...)]`).
    pub retry: Option<RetryPolicy>,
    /// How long one attempt may take (`#[step(timeout = ...)]`).
    pub timeout: Option<Duration>,
    /// The steps whose failures it catches (`#[step(catches(...))]`).
    pub catches: &'static [&'static str],
    /// Whether it catches the failures of every step that no other step
    /// catches (`#[step(catches(*))]`), except the steps that catch
    /// failures.
    pub catches_all: bool,
    /// How many failures it may recover from in one run
    /// (`#[step(max_recoveries = N)]`, 1 unless set).
    pub max_recoveries: u32,
}

impl StepInfo {
    /// Whether the step catches the failures of other steps, named or all.
    pub const fn catches_failures(&self) -> bool {
        self.catches_all || !self.catches.is_empty()
    }
}
