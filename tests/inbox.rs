//! The run's inbox of events its caller sends: filters run on the run's own
//! task, one event answers every waiter it matches, answers belong to the
//! step's invocation across its retries, ended waits leave the inbox, the
//! inbox is bounded, and the caller can address one step.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use tokio::sync::Notify;

use typed_workflows::prelude::*;
use typed_workflows::{
    EventStream, HumanResponseEvent, InputRequiredEvent, RetryPolicy, SendError,
};

fn answer(text: &str) -> HumanResponseEvent {
    HumanResponseEvent {
        response: text.into(),
    }
}

/// Reads the stream up to the next event of type `E`, and returns it.
async fn next_of<E: Event>(events: &mut EventStream) -> E {
    loop {
        let event = events.next().await.expect("the stream ended early");
        if let Ok(event) = event.downcast::<E>() {
            return event;
        }
    }
}

// --- filters run on the run's task ----------------------------------------------------

/// Waits for an answer through a filter that panics on "boom".
struct Touchy;

#[workflow_impl]
impl Touchy {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "? ".into(),
            })
            .matching(|answer| {
                assert!(answer.response != "boom", "the filter saw a bomb");
                true
            })
            .await?;
        Ok(StopEvent::new(answer.response))
    }
}

#[tokio::test]
async fn a_panicking_filter_fails_the_run_like_a_panicking_step_and_the_caller_goes_on() {
    let mut handler = Touchy.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    next_of::<InputRequiredEvent>(&mut events).await;
    // The caller does not run the filter: its send succeeds.
    handler.send_event(answer("boom")).unwrap();
    let error = handler.await.unwrap_err();
    let WorkflowError::StepPanicked {
        step,
        event,
        message,
    } = &error
    else {
        panic!("expected a panicked step, got {error:?}");
    };
    assert_eq!((*step, *event), ("ask", "StartEvent"));
    assert_eq!(
        message,
        "the filter of its wait for `HumanResponseEvent` panicked: the filter saw a bomb"
    );
    let failed = next_of::<typed_workflows::WorkflowFailedEvent>(&mut events).await;
    assert_eq!(failed.step.as_deref(), Some("ask"));
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Written {
    n: u32,
}

/// One step waits through a filter that blocks until the test lets it go;
/// another writes to the stream.
struct Slow {
    /// The thread of the run's caller, where the filter must not run.
    caller: ThreadId,
    /// Where the filter ran, and that it started.
    filter_started: Mutex<Option<mpsc::Sender<ThreadId>>>,
    /// Lets the filter return.
    release: Mutex<Option<mpsc::Receiver<()>>>,
}

#[workflow_impl]
impl Slow {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        let started = self.filter_started.lock().unwrap().take().unwrap();
        let release = self.release.lock().unwrap().take().unwrap();
        let caller = self.caller;
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "? ".into(),
            })
            .matching(move |_| {
                let here = std::thread::current().id();
                assert_ne!(here, caller, "the filter ran on the caller's thread");
                started.send(here).unwrap();
                release.recv().unwrap();
                true
            })
            .await?;
        Ok(StopEvent::new(answer.response))
    }

    #[step(writes(Written))]
    async fn write(&self, ctx: &Context<Self>, _ev: StartEvent) -> Option<StopEvent<String>> {
        for n in 0..2 {
            ctx.write_event_to_stream(Written { n });
        }
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_filter_runs_on_the_run_s_task_holding_no_lock_of_the_run() {
    let (started_tx, started) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let mut handler = Slow {
        caller: std::thread::current().id(),
        filter_started: Mutex::new(Some(started_tx)),
        release: Mutex::new(Some(release_rx)),
    }
    .runner()
    .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    next_of::<InputRequiredEvent>(&mut events).await;
    handler.send_event(answer("Ada")).unwrap();
    // The caller's send returned without running the filter, which now runs
    // elsewhere and waits for the release.
    tokio::task::spawn_blocking(move || started.recv().unwrap())
        .await
        .unwrap();
    // Meanwhile the run's channel is free: the caller sends and reads
    // what the other steps wrote, which would wait for a lock held by the
    // filter.
    handler.send_event(answer("Bob")).unwrap();
    let mut written = Vec::new();
    while written.len() < 2 {
        written.push(next_of::<Written>(&mut events).await.n);
    }
    assert_eq!(written, [0, 1]);
    release.send(()).unwrap();
    assert_eq!(handler.await.unwrap(), "Ada");
}

// --- one answer for every waiter -----------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Review {
    reviewer: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Reviewed {
    verdict: String,
}

/// Three reviews wait at once for approval; "approve all" answers them all.
struct Reviews;

#[workflow_impl]
impl Reviews {
    #[step(sends(Review))]
    async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) {
        for reviewer in 0..3 {
            ctx.send_event(Review { reviewer });
        }
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn review(&self, ctx: &Context<Self>, ev: Review) -> Result<Reviewed> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: format!("review {}? ", ev.reviewer),
            })
            .await?;
        Ok(Reviewed {
            verdict: format!("{}: {}", ev.reviewer, answer.response),
        })
    }

    #[step]
    async fn tally(&self, ctx: &Context<Self>, ev: Reviewed) -> Option<StopEvent<Vec<String>>> {
        let mut all: Vec<String> = ctx
            .collect_events(ev, 3)?
            .into_iter()
            .map(|reviewed| reviewed.verdict)
            .collect();
        all.sort();
        Some(StopEvent::new(all))
    }
}

#[tokio::test]
async fn one_input_event_answers_every_waiting_step_it_matches() {
    let mut handler = Reviews.runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    for _ in 0..3 {
        next_of::<InputRequiredEvent>(&mut events).await;
    }
    handler.send_event(answer("approved")).unwrap();
    assert_eq!(
        handler.await.unwrap(),
        ["0: approved", "1: approved", "2: approved"]
    );
}

// --- answers belong to the invocation -----------------------------------------------

/// Asks twice, then fails on its first attempt; the retry gets both answers
/// again without asking.
struct Flaky {
    asked: AtomicU32,
}

#[workflow_impl]
impl Flaky {
    #[step(
        waits_for(HumanResponseEvent),
        writes(InputRequiredEvent),
        retry = RetryPolicy::fixed(Duration::ZERO)
    )]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        let mut answers = Vec::new();
        for question in ["name", "colour"] {
            let answer = ctx
                .wait_for_event::<HumanResponseEvent>()
                .publishing(InputRequiredEvent {
                    prefix: format!("{question}? "),
                })
                .await?;
            answers.push(answer.response);
        }
        if ctx.attempt() == 1 {
            anyhow::bail!("the database was down");
        }
        self.asked
            .fetch_add(answers.len() as u32, Ordering::Relaxed);
        Ok(StopEvent::new(format!(
            "{} on attempt {}",
            answers.join(" likes "),
            ctx.attempt()
        )))
    }
}

#[tokio::test(start_paused = true)]
async fn a_retried_step_gets_the_answers_its_invocation_received_without_asking_again() {
    let runner = Flaky {
        asked: AtomicU32::new(0),
    }
    .runner()
    .timeout(Duration::from_secs(60));
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert_eq!(
        next_of::<InputRequiredEvent>(&mut events).await.prefix,
        "name? "
    );
    handler.send_event(answer("Ada")).unwrap();
    assert_eq!(
        next_of::<InputRequiredEvent>(&mut events).await.prefix,
        "colour? "
    );
    handler.send_event(answer("teal")).unwrap();
    assert_eq!(handler.await.unwrap(), "Ada likes teal on attempt 2");
    // The retry published no question.
    let mut rest = Vec::new();
    while let Some(event) = events.next().await {
        rest.push(event.name());
    }
    assert_eq!(rest, ["StopEvent"]);
}

// --- ended waits leave the inbox ---------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ended;

/// Ends a wait in each way but an answer: by its timeout, by dropping it
/// for something else, and by its step's timeout; tells the test after
/// each, then waits for the test's go-ahead.
struct Abandons {
    ended: tokio::sync::mpsc::UnboundedSender<&'static str>,
    go: Notify,
}

#[workflow_impl]
impl Abandons {
    #[step(sends(Ended), waits_for(HumanResponseEvent))]
    async fn begin(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<()> {
        let timed_out = ctx
            .wait_for_event::<HumanResponseEvent>()
            .timeout(Duration::from_secs(60))
            .await;
        assert!(timed_out.is_err());
        self.ended.send("timed out").unwrap();
        self.go.notified().await;
        tokio::select! {
            _ = ctx.wait_for_event::<HumanResponseEvent>().into_future() => unreachable!(),
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        self.ended.send("dropped").unwrap();
        self.go.notified().await;
        ctx.send_event(Ended);
        Ok(())
    }

    #[step(waits_for(HumanResponseEvent), timeout = Duration::from_secs(5))]
    async fn slow(&self, ctx: &Context<Self>, _ev: Ended) -> Result<StopEvent<String>> {
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(StopEvent::new(answer.response))
    }

    #[step(catches(slow))]
    async fn recover(&self, failed: typed_workflows::StepFailedEvent) -> StopEvent<String> {
        self.ended.send("step timeout").unwrap();
        self.go.notified().await;
        StopEvent::new(failed.error)
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_ends_without_an_answer_leaves_the_inbox() {
    let (ended, mut told) = tokio::sync::mpsc::unbounded_channel();
    let runner = Abandons {
        ended,
        go: Notify::new(),
    }
    .runner()
    .without_timeout();
    let handler = runner.run(StartEvent::new());
    for how in ["timed out", "dropped", "step timeout"] {
        assert_eq!(told.recv().await, Some(how));
        // Nothing was sent: the wait left on its own.
        assert_eq!(handler.inbox_size(), 0, "after a wait ended by: {how}");
        runner.workflow().go.notify_one();
    }
    assert_eq!(
        handler.await.unwrap(),
        "the step took longer than its timeout of 5s"
    );
}

// --- a bounded inbox --------------------------------------------------------------------

/// Waits for three answers, one at a time, once the test lets it.
struct Backlog {
    go: Notify,
    answered: tokio::sync::mpsc::UnboundedSender<String>,
}

#[workflow_impl]
impl Backlog {
    #[step(waits_for(HumanResponseEvent))]
    async fn later(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<()>> {
        self.go.notified().await;
        for _ in 0..3 {
            let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
            self.answered.send(answer.response).unwrap();
        }
        ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(StopEvent::new(()))
    }
}

#[tokio::test]
async fn an_inbox_at_its_limit_refuses_more_until_a_step_takes_some() {
    let (answered, mut took) = tokio::sync::mpsc::unbounded_channel();
    let runner = Backlog {
        go: Notify::new(),
        answered,
    }
    .runner()
    .inbox_limit(3);
    let handler = runner.run(StartEvent::new());
    for n in 0..3 {
        handler.send_event(answer(&n.to_string())).unwrap();
    }
    let refused = handler.send_event(answer("3")).unwrap_err();
    assert_eq!(
        refused,
        SendError::InboxFull {
            event: "HumanResponseEvent",
            limit: 3
        }
    );
    assert_eq!(
        refused.to_string(),
        "the run's inbox is full: it holds 3 events that no step has taken yet, so the \
         `HumanResponseEvent` sent to it was refused; send it again once a step has taken \
         some, or raise `Runner::inbox_limit`"
    );
    runner.workflow().go.notify_one();
    for n in 0..3 {
        assert_eq!(took.recv().await.unwrap(), n.to_string());
    }
    handler.send_event(answer("3")).unwrap();
    handler.await.unwrap();
}

#[test]
fn the_default_inbox_limit_is_documented() {
    assert_eq!(typed_workflows::DEFAULT_INBOX_LIMIT, 1024);
}

// --- sending to one step ------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Answered {
    by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(input)]
struct Vote {
    yes: bool,
}

/// Two steps wait for an answer; two accept a vote; `tally` ends the run
/// with what each got.
struct Panel;

#[workflow_impl]
impl Panel {
    #[step(waits_for(HumanResponseEvent))]
    async fn left(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(Answered {
            by: format!("left: {}", answer.response),
        })
    }

    #[step(waits_for(HumanResponseEvent))]
    async fn right(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(Answered {
            by: format!("right: {}", answer.response),
        })
    }

    #[step]
    async fn aye(&self, vote: Vote) -> Answered {
        Answered {
            by: format!("aye: {}", vote.yes),
        }
    }

    #[step]
    async fn nay(&self, vote: Vote) -> Answered {
        Answered {
            by: format!("nay: {}", vote.yes),
        }
    }

    #[step]
    async fn tally(&self, ctx: &Context<Self>, ev: Answered) -> Option<StopEvent<Vec<String>>> {
        let mut all: Vec<String> = ctx
            .collect_events(ev, 3)?
            .into_iter()
            .map(|answered| answered.by)
            .collect();
        all.sort();
        Some(StopEvent::new(all))
    }
}

#[tokio::test]
async fn an_event_sent_to_one_step_reaches_that_step_alone() {
    // Sent before the steps wait: each kept for the wait of its step alone.
    let handler = Panel.runner().run(StartEvent::new());
    handler.send_event_to("right", answer("r")).unwrap();
    handler.send_event_to("left", answer("l")).unwrap();
    // Accepted by two steps, and given to one.
    handler.send_event_to("nay", Vote { yes: false }).unwrap();
    assert_eq!(
        handler.await.unwrap(),
        ["left: l", "nay: false", "right: r"]
    );
}

#[tokio::test]
async fn an_event_sent_to_a_step_that_does_not_take_it_is_refused_with_both_names() {
    let handler = Panel.runner().run(StartEvent::new());
    let unknown = handler.send_event_to("middle", answer("m")).unwrap_err();
    assert_eq!(
        unknown,
        SendError::UnknownStep {
            step: "middle".into(),
            event: "HumanResponseEvent",
            known: vec!["left", "right", "aye", "nay", "tally"],
        }
    );
    let not_taken = handler.send_event_to("aye", answer("a")).unwrap_err();
    assert_eq!(
        not_taken,
        SendError::NotTaken {
            step: "aye",
            event: "HumanResponseEvent"
        }
    );
    assert_eq!(
        not_taken.to_string(),
        "step `aye` neither waits for nor accepts `HumanResponseEvent`, so it cannot be sent \
         to it; declare `#[step(waits_for(HumanResponseEvent))]` on it, or send the event to \
         another step"
    );
    assert_eq!(handler.inbox_size(), 0);
}

// --- idle while waiting for input -------------------------------------------------------

/// Two steps wait for input while a third works until the test lets it
/// finish.
struct Idles {
    go: Notify,
}

#[workflow_impl]
impl Idles {
    #[step(waits_for(HumanResponseEvent))]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(Answered {
            by: answer.response,
        })
    }

    #[step(waits_for(HumanResponseEvent))]
    async fn confirm(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Answered> {
        let answer = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(Answered {
            by: answer.response,
        })
    }

    #[step]
    async fn busy(&self, _ev: StartEvent) -> Option<Answered> {
        self.go.notified().await;
        None
    }

    #[step]
    async fn tally(&self, ctx: &Context<Self>, ev: Answered) -> Option<StopEvent<usize>> {
        Some(StopEvent::new(ctx.collect_events(ev, 2)?.len()))
    }
}

#[tokio::test]
async fn a_run_whose_live_steps_all_wait_for_input_says_it_is_idle_naming_them() {
    use typed_workflows::observe::{RunIdle, StepFinished, StepStarted};
    let runner = Idles { go: Notify::new() }.runner().expose_internal(true);
    let mut handler = runner.run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let mut before = Vec::new();
    // Once every step has started, `busy` works until it is let go.
    while before
        .iter()
        .filter(|event: &&AnyEvent| event.is::<StepStarted>())
        .count()
        < 3
    {
        before.push(events.next().await.unwrap());
    }
    runner.workflow().go.notify_one();
    let idle = loop {
        let event = events.next().await.unwrap();
        match event.downcast::<RunIdle>() {
            Ok(idle) => break idle,
            Err(event) => before.push(event),
        }
    };
    assert_eq!(idle.waiting, ["ask", "confirm"]);
    // Not before the busy step had finished.
    assert!(before.iter().any(|event| {
        event
            .downcast_ref::<StepFinished>()
            .is_some_and(|f| f.step == "busy")
    }));
    handler.send_event(answer("yes")).unwrap();
    assert_eq!(handler.await.unwrap(), 2);
    // Once only.
    while let Some(event) = events.next().await {
        assert!(!event.is::<RunIdle>(), "a second {event:?}");
    }
}

/// Asks twice in one invocation.
struct TwoQuestions;

#[workflow_impl]
impl TwoQuestions {
    #[step(waits_for(HumanResponseEvent))]
    async fn ask(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<StopEvent<String>> {
        let name = ctx.wait_for_event::<HumanResponseEvent>().await?;
        let colour = ctx.wait_for_event::<HumanResponseEvent>().await?;
        Ok(StopEvent::new(format!(
            "{} likes {}",
            name.response, colour.response
        )))
    }
}

#[tokio::test]
async fn a_run_says_it_is_idle_each_time_it_comes_to_wait_again() {
    use typed_workflows::observe::RunIdle;
    let mut handler = TwoQuestions
        .runner()
        .expose_internal(true)
        .run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    for response in ["Ada", "teal"] {
        assert_eq!(next_of::<RunIdle>(&mut events).await.waiting, ["ask"]);
        handler.send_event(answer(response)).unwrap();
    }
    assert_eq!(handler.await.unwrap(), "Ada likes teal");
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(outbound)]
struct Asked;

/// Nothing runs until the caller votes.
struct Ballot;

#[workflow_impl]
impl Ballot {
    #[step]
    async fn open(&self, _ev: StartEvent) -> Asked {
        Asked
    }

    #[step]
    async fn count(&self, vote: Vote) -> StopEvent<bool> {
        StopEvent::new(vote.yes)
    }
}

#[tokio::test]
async fn a_run_with_nothing_running_that_waits_for_its_caller_says_it_is_idle_once() {
    use typed_workflows::observe::RunIdle;
    let mut handler = Ballot.runner().expose_internal(true).run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    assert!(next_of::<RunIdle>(&mut events).await.waiting.is_empty());
    handler.send_event(Vote { yes: true }).unwrap();
    assert!(handler.await.unwrap());
    while let Some(event) = events.next().await {
        assert!(!event.is::<RunIdle>(), "a second {event:?}");
    }
}
