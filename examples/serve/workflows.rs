//! The workflows `cargo run --example serve` serves: the three that
//! LlamaIndex's server was captured with (`two_step`, `stream_n`, `hitl`),
//! and a survey that asks two questions.

use std::time::Duration;

use serde_json::{Value, json};
use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};

/// What `first` hands to `second`.
#[event]
pub struct Mid {
    pub x: i64,
}

/// Adds one to the start event's `x`, in two steps.
pub struct TwoStep;

#[workflow_impl]
impl TwoStep {
    #[step]
    async fn first(&self, start: StartEvent) -> Result<Mid> {
        Ok(Mid {
            x: start.get::<i64>("x")? + 1,
        })
    }

    #[step]
    async fn second(&self, mid: Mid) -> StopEvent<Value> {
        StopEvent::new(json!({ "x": mid.x }))
    }
}

/// One of the events `stream_n` writes.
#[event]
pub struct Tick {
    pub i: u64,
}

/// Writes `n` ticks to the stream, `delay_ms` apart.
pub struct StreamN;

#[workflow_impl]
impl StreamN {
    #[step(writes(Tick))]
    async fn emit(&self, ctx: &Context<Self>, start: StartEvent) -> Result<StopEvent<Value>> {
        let n: u64 = start.get("n")?;
        let delay = start.get::<u64>("delay_ms").unwrap_or(0);
        for i in 0..n {
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            ctx.write_event_to_stream(Tick { i });
        }
        Ok(StopEvent::new(json!({ "n": n })))
    }
}

/// Asks for a name and stops with it.
pub struct Hitl;

#[workflow_impl]
impl Hitl {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<Value>> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "name?".into(),
            })
            .await?;
        Ok(StopEvent::new(json!({ "response": answer.response })))
    }
}

/// The name a survey was given.
#[event]
pub struct Named {
    pub name: String,
}

/// Asks for a name, then a colour.
pub struct Survey;

#[workflow_impl]
impl Survey {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask_name(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<Named> {
        let name = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "What is your name?".into(),
            })
            .await?;
        Ok(Named {
            name: name.response,
        })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask_colour(&self, ctx: &Context<Self>, named: Named) -> Result<StopEvent<String>> {
        let colour = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: format!("{}, what is your favourite colour?", named.name),
            })
            .await?;
        Ok(StopEvent::new(format!(
            "{} likes {}.",
            named.name,
            colour.response.to_lowercase()
        )))
    }
}
