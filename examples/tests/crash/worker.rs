//! The worker of the crash test (`tests/crash.rs`): runs the errands of a
//! store to their ends, taking up those a killed worker left, while the
//! test kills it again and again.
//!
//! `crash-worker STORE LOG RUNS GENERATION`: goes on with the unfinished
//! runs of `STORE`, starts the runs of `0..RUNS` the store does not hold,
//! answers their questions, and exits once all have ended. The even runs
//! are answered through their handlers; the odd ones are let go of, park
//! at their questions, and are answered through the store. Each side
//! effect is a line appended to `LOG`, tagged with `GENERATION`, and
//! printed, so that the test can kill it after a chosen number of them.

#[path = "../kill/errand.rs"]
mod errand;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use typed_workflows::anyhow;
use typed_workflows::durable::{InputError, StoredOutcome};
use typed_workflows::prelude::*;
use typed_workflows::snapshot::RunSnapshot;
use typed_workflows::store::{RunFilter, SqliteStore, StatusKind, Store, StoreError};
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RunId, Runner, WorkflowHandler};

use errand::{ANSWER, Errand, Log};

/// Answers the run's question, and waits for its end.
async fn see_through(mut handler: WorkflowHandler<Errand>) -> Result<u64> {
    let mut events = handler.stream_events()?;
    while let Some(event) = events.next().await {
        if event.is::<InputRequiredEvent>() {
            handler.send_event(HumanResponseEvent {
                response: ANSWER.into(),
            })?;
        }
    }
    Ok(handler.await?)
}

/// Answers the question of a run let go of, through the store, once this
/// worker sees one in the run's stream as the store keeps it, and reads
/// the run's end from there. The run parks at its question, and the
/// input takes it up again.
async fn answer_through_store(runner: Arc<Runner<Errand>>, run: RunId) -> Result<u64> {
    let mut events = std::pin::pin!(runner.stored_events(run, 0));
    while let Some(event) = events.next().await {
        if event?.event.is::<InputRequiredEvent>() {
            let answer = HumanResponseEvent {
                response: ANSWER.into(),
            };
            match runner.send_input(run, answer).await {
                // An earlier worker's answer may have ended it already.
                Ok(_) | Err(InputError::Store(StoreError::Finished { .. })) => break,
                Err(error) => return Err(error.into()),
            }
        }
    }
    match runner.stored_outcome(run).await? {
        StoredOutcome::Stopped(stop) => Ok(stop
            .downcast::<StopEvent<u64>>()
            .map_err(|_| anyhow::anyhow!("run {run} stopped with another event"))?
            .result),
        other => anyhow::bail!("run {run} did not stop: {other:?}"),
    }
}

/// Whether the errand numbered `number` is let go of at its question and
/// answered through the store, rather than through its handler.
fn let_go(number: u64) -> bool {
    number % 2 == 1
}

/// The errands the store holds, by id: their numbers in the start event,
/// and whether they have ended.
async fn numbers_held(store: &dyn Store) -> Result<HashMap<RunId, (u64, bool)>> {
    let mut held = HashMap::new();
    for run in store.list(&RunFilter::new()).await? {
        let loaded = store.load(run.id).await?.expect("a listed run is there");
        let first: RunSnapshot = serde_json::from_slice(&loaded.start)?;
        let start = &first.queued[0].events[0].value;
        let number = start["values"]["run"]
            .as_u64()
            .expect("each errand has its number");
        held.insert(run.id, (number, run.status.kind() == StatusKind::Finished));
    }
    Ok(held)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, log, runs, generation] = args.as_slice() else {
        anyhow::bail!("usage: crash-worker STORE LOG RUNS GENERATION");
    };
    let store = Arc::new(SqliteStore::open(store)?);
    let generation: u64 = generation.parse()?;
    let log = Log::open(Path::new(log), generation.to_string(), true)?;
    let runner = Arc::new(
        Errand { log }
            .runner()
            .without_timeout()
            .durable(store.clone())
            .worker("crash-worker"),
    );
    let recovered = runner.recover().await?;
    anyhow::ensure!(recovered.left.is_empty(), "runs left: {:?}", recovered.left);
    let held = numbers_held(&*store).await?;
    let mut ends = Vec::new();
    for handler in recovered.resumed {
        let (number, _) = held[&handler.run_id()];
        // A run let go of is answered below, with the others like it.
        if !let_go(number) {
            ends.push(tokio::spawn(see_through(handler)));
        }
    }
    let mut let_go_of: Vec<RunId> = held
        .iter()
        .filter(|(_, (number, ended))| let_go(*number) && !ended)
        .map(|(run, _)| *run)
        .collect();
    let numbers: HashSet<u64> = held.values().map(|(number, _)| *number).collect();
    for number in (0..runs.parse::<u64>()?).filter(|number| !numbers.contains(number)) {
        let handler = runner.run(StartEvent::new().with("run", number));
        if let_go(number) {
            let_go_of.push(handler.run_id());
        } else {
            ends.push(tokio::spawn(see_through(handler)));
        }
    }
    for run in let_go_of {
        let runner = runner.clone();
        ends.push(tokio::spawn(async move {
            answer_through_store(runner, run).await
        }));
    }
    for end in ends {
        end.await??;
    }
    println!("all done");
    Ok(())
}
