//! The reference program: LlamaIndex's "streaming events" tutorial in Rust.
//!
//! Three steps run in sequence; each publishes progress on the event stream,
//! and step two forwards an LLM's streamed completion delta by delta. The
//! caller prints every progress message as it arrives, then the result, and
//! draws every path the workflow can take into `streaming_workflow.html`.
//!
//! Run it with `cargo run --example streaming`. With `OPENAI_API_KEY` set,
//! step two streams from `gpt-4o-mini` (or `OPENAI_MODEL`) at OpenAI (or at
//! `OPENAI_BASE_URL`, for llama.cpp, Ollama, vLLM and other servers of the
//! same protocol). Without a key it needs no network: the LLM is a local
//! stand-in (see `llm/`). The workflow itself is in `workflow.rs`.

pub mod llm;
pub mod workflow;

use std::time::Duration;

use llm::Llm;
use typed_workflows::graph::draw_all_possible_flows;
use typed_workflows::prelude::*;
use workflow::{MyWorkflow, ProgressEvent};

#[tokio::main]
async fn main() -> Result<()> {
    let workflow = MyWorkflow {
        llm: Box::new(Llm::from_env()),
    }
    .runner()
    .timeout(Duration::from_secs(30))
    .verbose(true);

    let mut handler = workflow.run(StartEvent::new().with("first_input", "Start the workflow."));
    let mut events = handler.stream_events()?;
    while let Some(event) = events.next().await {
        if let Some(progress) = event.downcast_ref::<ProgressEvent>() {
            println!("{}", progress.msg);
        }
    }

    let final_result: String = handler.await?;
    println!("Final result {final_result}");

    // As the tutorial ends: every path the workflow can take, as a page that
    // any browser opens offline.
    draw_all_possible_flows::<MyWorkflow>("streaming_workflow.html")?;
    eprintln!("The workflow's graph is in streaming_workflow.html");
    Ok(())
}
