//! The errors a run, a send or the stream can end with.

use std::time::Duration;

/// Why a run ended without a result.
///
/// ```
/// use typed_workflows::WorkflowError;
/// use typed_workflows::anyhow::bail;
/// use typed_workflows::prelude::*;
///
/// struct Fragile;
///
/// #[workflow_impl]
/// impl Fragile {
///     #[step]
///     async fn check(&self, start: StartEvent) -> Result<StopEvent<u32>> {
///         let n: u32 = start.get("n")?;
///         if n < 10 {
///             bail!("n too small");
///         }
///         Ok(StopEvent::new(n))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let error = Fragile.runner().run(StartEvent::new().with("n", 3)).await.unwrap_err();
/// assert!(matches!(error, WorkflowError::StepFailed { step: "check", attempts: 1, .. }));
/// // The step's own error is the source, which `{:#}` on an anyhow error shows.
/// let error = typed_workflows::anyhow::Error::from(error);
/// assert_eq!(format!("{error:#}"), "step `check` failed while handling `StartEvent`: n too small");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// A step returned an error. The step's own error is this error's
    /// [`source`](std::error::Error::source): `{:#}` on an `anyhow::Error`
    /// prints both, as does returning it from `main`.
    #[error("step `{step}` failed while handling `{event}`{}", after_attempts(*attempts))]
    StepFailed {
        /// The step's name.
        step: &'static str,
        /// The name of the event type it was handling.
        event: &'static str,
        /// How many attempts were made: 1, unless the step has a
        /// `#[step(retry = ...)]` policy. The error is the last attempt's.
        attempts: u32,
        /// What the step returned.
        source: anyhow::Error,
    },
    /// A step panicked.
    #[error("step `{step}` panicked while handling `{event}`: {message}")]
    StepPanicked {
        /// The step's name.
        step: &'static str,
        /// The name of the event type it was handling.
        event: &'static str,
        /// The panic's message.
        message: String,
    },
    /// The run took longer than its timeout.
    #[error(
        "the run timed out after {after:?} with {} still running",
        list_steps(active_steps)
    )]
    TimedOut {
        /// The timeout that ran out.
        after: Duration,
        /// The steps that were still running, each named once.
        active_steps: Vec<&'static str>,
    },
    /// The run panicked outside any step: in an event's `Clone` impl while it
    /// was broadcast, or in a `Drop` impl.
    #[error("the run panicked outside its steps: {message}")]
    RunPanicked {
        /// The panic's message.
        message: String,
    },
    /// The run was cancelled through its handler.
    #[error("the run was cancelled")]
    Cancelled,
    /// The run was suspended ([`WorkflowHandler::suspend`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.suspend)):
    /// it goes on from its snapshot, if anywhere.
    #[error("the run was suspended; resume it from its snapshot")]
    Suspended,
    /// No step was running and no event was queued, yet no step had returned
    /// a stop event: every path through the graph ended in a step that
    /// returned nothing (`None` or `()`).
    #[error(
        "the run stalled: no step is running and no event is queued, but no stop event was produced (the last step to finish was `{last_step}`)"
    )]
    Stalled {
        /// The step that finished last.
        last_step: &'static str,
    },
    /// A durable run could not write to its store, or read from it, and
    /// stopped: what it did since its last record is not kept. The source
    /// names the store, the run and the record; a recovery goes on from
    /// the last record once the store works again.
    #[error("the run stopped: its store failed")]
    Store {
        /// The store's error.
        source: anyhow::Error,
    },
}

impl WorkflowError {
    /// This error followed by each of its causes, as `{:#}` prints an
    /// `anyhow::Error`: "step `two` failed while handling `A`: n too small",
    /// where `Display` stops before the step's own error.
    #[doc(hidden)]
    pub fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}

fn after_attempts(attempts: u32) -> String {
    match attempts {
        1 => String::new(),
        attempts => format!(" after {attempts} attempts"),
    }
}

/// "`A`", "`A` or `B`", "`A`, `B` or `C`".
fn list_events(events: &[&'static str]) -> String {
    match events {
        [init @ .., last] if !init.is_empty() => {
            let init: Vec<String> = init.iter().map(|event| format!("`{event}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
        events => events.iter().map(|event| format!("`{event}`")).collect(),
    }
}

fn list_steps(steps: &[&'static str]) -> String {
    match steps {
        [] => "no step".to_owned(),
        [one] => format!("step `{one}`"),
        many => format!(
            "steps {}",
            many.iter()
                .map(|step| format!("`{step}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Why [`StepContext::send_event_to`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.StepContext.html#method.send_event_to),
/// [`WorkflowHandler::send_event`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.send_event) or
/// [`WorkflowHandler::send_event_to`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.send_event_to)
/// sent nothing.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, SendError};
///
/// struct Ask;
///
/// #[workflow_impl]
/// impl Ask {
///     #[step(waits_for(HumanResponseEvent))]
///     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
///         let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
///         Ok(StopEvent::new(answer.response))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let handler = Ask.runner().run(StartEvent::new());
/// let answer = || HumanResponseEvent { response: "yes".into() };
/// let error = handler.send_event_to("asc", answer()).unwrap_err();
/// assert!(matches!(error, SendError::UnknownStep { .. }));
/// handler.send_event_to("ask", answer())?;
/// assert_eq!(handler.await?, "yes");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No step has that name.
    #[error("no step is named `{step}` to send `{event}` to; the steps are: {}", known.join(", "))]
    UnknownStep {
        /// The name asked for.
        step: String,
        /// The event type sent.
        event: &'static str,
        /// The workflow's step names.
        known: Vec<&'static str>,
    },
    /// The run has ended: nothing takes events any more.
    #[error("the run has ended, so nothing takes the `{event}` sent to it")]
    RunEnded {
        /// The event type sent.
        event: &'static str,
    },
    /// The step accepts other event types.
    #[error("step `{step}` accepts {}, not `{event}`", list_events(accepts))]
    NotAccepted {
        /// The step's name.
        step: &'static str,
        /// The event type sent.
        event: &'static str,
        /// The event types the step accepts: one, or the variants' of the
        /// `#[derive(OneOf)]` enum it takes.
        accepts: Vec<&'static str>,
    },
    /// The step named by the run's caller neither waits for the event's type
    /// nor accepts it.
    #[error(
        "step `{step}` neither waits for nor accepts `{event}`, so it cannot be sent to it; declare `#[step(waits_for({event}))]` on it, or send the event to another step"
    )]
    NotTaken {
        /// The step's name.
        step: &'static str,
        /// The event type sent.
        event: &'static str,
    },
    /// The run's inbox already holds as many events that no step has taken
    /// yet as its limit allows
    /// ([`Runner::inbox_limit`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.Runner.html#method.inbox_limit)): send again once
    /// the run has taken some, or raise the limit.
    #[error(
        "the run's inbox is full: it holds {limit} events that no step has taken yet, so the `{event}` sent to it was refused; send it again once a step has taken some, or raise `Runner::inbox_limit`"
    )]
    InboxFull {
        /// The event type sent.
        event: &'static str,
        /// The run's inbox limit.
        limit: usize,
    },
    /// An event sent by its name (as JSON from outside the program) that
    /// is not one of the workflow's input events: no step could take it.
    #[error(
        "the workflow has no input event named `{event}`; {}",
        match inputs.is_empty() {
            true => "it takes no input from its caller".to_owned(),
            false => format!("its input events are: {}", inputs.join(", ")),
        }
    )]
    NotAnInput {
        /// The name sent.
        event: String,
        /// The names of the workflow's input events, which its steps wait
        /// for or accept.
        inputs: Vec<&'static str>,
    },
    /// An event sent by its name as JSON that does not decode as the
    /// workflow's event of that name.
    #[error("the JSON sent as `{event}` is not one: {reason}")]
    Malformed {
        /// The event type named.
        event: &'static str,
        /// What serde said is wrong with it.
        reason: String,
    },
}

/// [`WorkflowHandler::stream_events`](https://docs.rs/typed-workflows/latest/typed_workflows/struct.WorkflowHandler.html#method.stream_events)
/// was called a second time: a run has one stream, and it is taken.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// struct Quick;
///
/// #[workflow_impl]
/// impl Quick {
///     #[step]
///     async fn done(&self, _start: StartEvent) -> StopEvent<()> {
///         StopEvent::new(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let mut handler = Quick.runner().run(StartEvent::new());
/// let _events = handler.stream_events()?;
/// assert!(handler.stream_events().is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the events of this run are already being streamed: `stream_events` hands out one stream per run"
)]
pub struct StreamTaken;
