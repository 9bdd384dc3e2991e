//! Human in the loop: a workflow that asks questions at the terminal and
//! goes on with the answers. Each step waits for the person's answer in
//! place (`ctx.wait_for_event`), after publishing the question on the event
//! stream; the caller prints each question, reads a line (asking again
//! after a blank one) and sends it in (`handler.send_event`).
//!
//! Run it with `cargo run --example human_in_the_loop` and answer at the
//! prompts, or pipe the answers in:
//! `printf 'Ada\nteal\n' | cargo run --example human_in_the_loop`.

mod terminal;

use std::time::Duration;

use terminal::Terminal;
use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};

/// How long a question waits for its answer.
pub const PATIENCE: Duration = Duration::from_secs(300);

#[event]
pub struct Named {
    name: String,
}

pub struct Interview;

#[workflow_impl]
impl Interview {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask_name(&self, ctx: &Context<Self>, _ev: StartEvent) -> Result<Named> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(question("What is your name? "))
            .timeout(PATIENCE)
            .await?;
        Ok(Named {
            name: answer.response.trim().to_owned(),
        })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask_colour(&self, ctx: &Context<Self>, named: Named) -> Result<StopEvent<String>> {
        let prompt = format!("Hello, {}! What is your favourite colour? ", named.name);
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(question(&prompt))
            .timeout(PATIENCE)
            .await?;
        let colour = answer.response.trim().to_lowercase();
        Ok(StopEvent::new(format!("{} likes {colour}.", named.name)))
    }
}

fn question(prefix: &str) -> InputRequiredEvent {
    InputRequiredEvent {
        prefix: prefix.to_owned(),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut handler = Interview
        .runner()
        .timeout(PATIENCE * 2)
        .run(StartEvent::new());
    let mut events = handler.stream_events()?;
    let mut terminal = Terminal::new();
    while let Some(event) = events.next().await {
        if let Some(question) = event.downcast_ref::<InputRequiredEvent>() {
            let response = terminal.answer(&question.prefix).await?;
            handler.send_event(HumanResponseEvent { response })?;
        }
    }
    println!("{}", handler.await?);
    Ok(())
}
