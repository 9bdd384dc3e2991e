//! The typed state of a run: steps read and edit it, the caller seeds it
//! and reads it through a `State` it passes in, each run has its own unless
//! the caller shares one, and it is serde data.

use std::sync::Arc;

use tokio::sync::Barrier;
use typed_workflows::State;
use typed_workflows::prelude::*;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Tally {
    seen: u32,
    names: Vec<String>,
    /// What `seen` will be once every visit of the run is counted.
    expected: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Visit {
    name: String,
}

/// Sends one visit per name in the start event; counts them in its state,
/// and stops once it has seen them all.
struct Guestbook {
    /// Each `count` waits here once it has counted, when set.
    barrier: Option<Arc<Barrier>>,
}

#[workflow_impl(state = Tally)]
impl Guestbook {
    #[step(sends(Visit))]
    async fn open(&self, ctx: &Context<Self>, start: StartEvent) -> Result<()> {
        let names: Vec<String> = start.get("names")?;
        ctx.edit_state(|tally| tally.expected = tally.seen + names.len() as u32);
        for name in names {
            ctx.send_event(Visit { name });
        }
        Ok(())
    }

    #[step(num_workers = 8)]
    async fn count(&self, ctx: &Context<Self>, visit: Visit) -> Option<StopEvent<u32>> {
        let seen = ctx.edit_state(|tally| {
            tally.seen += 1;
            tally.names.push(visit.name);
            tally.seen
        });
        if let Some(barrier) = &self.barrier {
            barrier.wait().await;
        }
        let expected = ctx.read_state(|tally| tally.expected);
        (seen == expected).then(|| StopEvent::new(seen))
    }
}

fn start(names: &[&str]) -> StartEvent {
    StartEvent::new().with("names", names)
}

fn guestbook() -> Guestbook {
    Guestbook { barrier: None }
}

#[tokio::test]
async fn steps_edit_the_state_and_the_caller_reads_it_after_the_run() {
    let state = State::default();
    let handler = guestbook()
        .runner()
        .run_with_state(start(&["ann"]), state.clone());
    assert_eq!(handler.await.unwrap(), 1);
    assert_eq!(
        state.get(),
        Tally {
            seen: 1,
            names: vec!["ann".into()],
            expected: 1,
        }
    );
}

#[tokio::test]
async fn a_seeded_state_is_where_the_run_starts() {
    let seeded = State::new(Tally {
        seen: 41,
        names: vec!["zoe".into()],
        expected: 0,
    });
    let handler = guestbook()
        .runner()
        .run_with_state(start(&["ann"]), seeded.clone());
    assert_eq!(handler.await.unwrap(), 42);
    assert_eq!(seeded.read(|tally| tally.names.clone()), ["zoe", "ann"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_at_once_each_have_their_own_state() {
    // Each run counts its one visit, then waits for the other run to have
    // counted too, and stops with what it counted: a shared state would
    // have counted two, and neither run would stop.
    let barrier = Arc::new(Barrier::new(2));
    let runner = Guestbook {
        barrier: Some(barrier),
    }
    .runner();
    let first = runner.run(start(&["ann"]));
    let second = runner.run(start(&["bob"]));
    assert_eq!((first.await.unwrap(), second.await.unwrap()), (1, 1));
}

#[tokio::test]
async fn runs_given_one_state_share_it() {
    let shared = State::<Tally>::default();
    let runner = guestbook().runner();
    runner
        .run_with_state(start(&["ann"]), shared.clone())
        .await
        .unwrap();
    runner
        .run_with_state(start(&["bob"]), shared.clone())
        .await
        .unwrap();
    assert_eq!(shared.read(|tally| tally.seen), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_from_invocations_that_run_at_once_are_all_kept() {
    let names: Vec<String> = (0..1_000).map(|n| format!("guest {n}")).collect();
    let state = State::default();
    let handler = guestbook()
        .runner()
        .run_with_state(StartEvent::new().with("names", &names), state.clone());
    assert_eq!(handler.await.unwrap(), 1_000);
    let mut seen = state.read(|tally| tally.names.clone());
    seen.sort_unstable();
    let mut expected = names;
    expected.sort_unstable();
    assert_eq!(seen, expected);
}

#[test]
fn the_state_is_serde_data() {
    let state = State::new(Tally {
        seen: 2,
        names: vec!["ann".into(), "bob".into()],
        expected: 2,
    });
    let json = state.to_json().unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "seen": 2, "names": ["ann", "bob"], "expected": 2 })
    );
    let back = State::<Tally>::from_json(json.clone()).unwrap();
    assert_eq!(back.get(), state.get());
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    let error = State::<Tally>::from_json(serde_json::json!({ "seen": "two" })).unwrap_err();
    assert!(error.to_string().contains("invalid type"), "{error}");
}

// --- the function-like spelling, and a workflow without state --------------------

struct Spelled;

workflow! {
    #[workflow(state = Tally)]
    impl Spelled {
        #[step]
        async fn only(&self, ctx: &Context<Self>, _ev: StartEvent) -> StopEvent<u32> {
            StopEvent::new(ctx.edit_state(|tally| {
                tally.seen += 1;
                tally.seen
            }))
        }
    }
}

struct Stateless;

#[workflow_impl]
impl Stateless {
    #[step]
    async fn only(&self, _ev: StartEvent) -> StopEvent<()> {
        StopEvent::new(())
    }
}

#[tokio::test]
async fn the_state_is_declared_in_either_spelling_and_defaults_to_none() {
    let seeded = State::new(Tally {
        seen: 6,
        ..Tally::default()
    });
    let run = Spelled.runner().run_with_state(StartEvent::new(), seeded);
    assert_eq!(run.await.unwrap(), 7);
    let unit = State::new(());
    Stateless
        .runner()
        .run_with_state(StartEvent::new(), unit)
        .await
        .unwrap();
}
