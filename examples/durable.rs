//! A durable run: a workflow that drafts a haiku with a (pretend) model,
//! asks whether to keep it, and ends with the verdict. The run is recorded
//! in an SQLite file as it goes, so the process may end at the question:
//! run the example again and it goes on there, with the same draft, and
//! without calling the model again.
//!
//! ```sh
//! cargo run --example durable            # answer at the prompt, or press Ctrl-C there
//! cargo run --example durable            # ... and it asks the same question again
//! cargo run --example durable -- fresh   # forget the runs recorded and start anew
//! ```
//!
//! The store is `typed-workflows-durable.db` in the system's temporary
//! directory, or the file `DURABLE_STORE` names.

mod terminal;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use terminal::Terminal;
use typed_workflows::prelude::*;
use typed_workflows::store::SqliteStore;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, WorkflowHandler};

#[event]
pub struct Drafted {
    haiku: String,
}

pub struct Poet;

#[workflow_impl]
impl Poet {
    #[step]
    async fn draft(&self, ctx: &Context<Self>, start: StartEvent) -> Result<Drafted> {
        let topic: String = start.get("topic")?;
        // An effect: its result is in the store before the step goes on,
        // and a re-run of the step gets it back instead of paying again.
        let haiku = ctx.once(pretend_model(topic)).await?;
        Ok(Drafted { haiku })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn review(&self, ctx: &Context<Self>, drafted: Drafted) -> Result<StopEvent<String>> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: format!("{}\nKeep this haiku? ", drafted.haiku),
            })
            .await?;
        let verdict = if answer.response.trim().starts_with('y') {
            "kept"
        } else {
            "thrown away"
        };
        Ok(StopEvent::new(format!("The haiku was {verdict}.")))
    }
}

/// A call to a model, slow and paid for.
async fn pretend_model(topic: String) -> Result<String> {
    println!("(calling the model about {topic}...)");
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(format!(
        "{topic} wind rises\nthe store keeps what the step wrote\nthe crash forgets not"
    ))
}

/// Where the runs are recorded.
fn store_path() -> PathBuf {
    std::env::var_os("DURABLE_STORE").map_or_else(
        || std::env::temp_dir().join("typed-workflows-durable.db"),
        PathBuf::from,
    )
}

#[tokio::main]
async fn main() -> Result<()> {
    let path = store_path();
    if std::env::args().nth(1).as_deref() == Some("fresh") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let store = Arc::new(SqliteStore::open(&path)?);
    println!("Runs are recorded in {}", path.display());
    let runner = Poet.runner().without_timeout().durable(store);

    let recovered = runner.recover().await?;
    for (run, why) in &recovered.left {
        println!("Left run {run} as it is: {why}");
    }
    let handler = match recovered.resumed.into_iter().next() {
        Some(handler) => {
            println!("Going on with run {}, where it was left.", handler.run_id());
            handler
        }
        None => runner.run(StartEvent::new().with("topic", "autumn")),
    };
    converse(handler).await
}

/// Answers the run's questions at the terminal, and prints how it ended.
async fn converse(mut handler: WorkflowHandler<Poet>) -> Result<()> {
    let mut events = handler.stream_events()?;
    let mut terminal = Terminal::new();
    while let Some(event) = events.next().await {
        if let Some(question) = event.downcast_ref::<InputRequiredEvent>() {
            let Ok(response) = terminal.answer(&question.prefix).await else {
                println!("No answer: the run waits in its store. Run the example again to answer.");
                return Ok(());
            };
            handler.send_event(HumanResponseEvent { response })?;
        }
    }
    println!("{}", handler.await?);
    Ok(())
}
