//! The run's inbox of events its caller sends: filters run on the run's own
//! task, one event answers every waiter it matches, answers belong to the
//! step's invocation across its retries, ended waits leave the inbox, the
//! inbox is bounded, and the caller can address one step.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use workflows::prelude::*;
use workflows::{EventStream, HumanResponseEvent, InputRequiredEvent, RetryPolicy};

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
    let failed = next_of::<workflows::WorkflowFailedEvent>(&mut events).await;
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
