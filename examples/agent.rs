//! An agent loop: a model reads the conversation and either answers or asks
//! for a tool; a person approves each tool call before it runs; the tool's
//! result, or the refusal, goes back to the model, until it answers.
//!
//! The model is scripted, so that the example needs no network and no key:
//! it asks for the weather of the city named in the question, then answers
//! from what the tool said. A real model goes where [`ScriptedModel`] is,
//! as the streaming example's `llm/` shows.
//!
//! Run it with `cargo run --example agent` and answer the approval, or
//! pipe it in: `printf 'y\n' | cargo run --example agent`. Ask something
//! else with `cargo run --example agent -- "Is it cold in Oslo?"`.

mod terminal;

use std::time::Duration;

use terminal::Terminal;
use typed_workflows::anyhow;
use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent};

/// How many tool calls the model may make before the run gives up on it.
pub const MAX_TOOL_CALLS: usize = 5;

/// How long an approval waits for the person.
pub const PATIENCE: Duration = Duration::from_secs(300);

/// One message of the conversation.
#[data]
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// What the person asked.
    User(String),
    /// A tool the model asked to run.
    ToolCall(Call),
    /// What the tool returned.
    ToolResult(String),
    /// The person refused the tool call.
    Refused(Call),
}

/// A tool and its argument.
#[data]
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub tool: String,
    pub argument: String,
}

/// The conversation so far: the model's turn.
#[event]
pub struct Conversation {
    messages: Vec<Message>,
}

/// The model asked for a tool, which waits for the person's approval.
#[event]
pub struct ToolRequested {
    call: Call,
    messages: Vec<Message>,
}

/// The person approved the tool call.
#[event]
pub struct Approved {
    call: Call,
    messages: Vec<Message>,
}

/// What the agent is doing, for the person to follow.
#[event]
pub struct Note {
    pub text: String,
}

/// What the model makes of the conversation.
#[derive(Debug, OneOf)]
pub enum Turn {
    Call(ToolRequested),
    Answer(StopEvent<String>),
}

/// What the person made of a tool call.
#[derive(Debug, OneOf)]
pub enum Verdict {
    Run(Approved),
    Refused(Conversation),
}

/// A model's reply.
#[derive(Debug, PartialEq)]
pub enum Reply {
    Call(Call),
    Answer(String),
}

/// A stand-in for a chat model that knows one tool, `weather`.
pub struct ScriptedModel;

impl ScriptedModel {
    /// The model's reply to `messages`: a weather lookup for a question
    /// that names a city, then an answer from the lookup's result.
    pub fn reply(&self, messages: &[Message]) -> Reply {
        match messages.last() {
            Some(Message::User(question)) => match city_in(question) {
                Some(city) => Reply::Call(Call {
                    tool: "weather".into(),
                    argument: city,
                }),
                None => Reply::Answer("I can only tell the weather: ask about a city.".into()),
            },
            Some(Message::ToolResult(forecast)) => {
                let advice = if forecast.contains("rain") {
                    "take an umbrella"
                } else {
                    "no umbrella needed"
                };
                Reply::Answer(format!("{forecast}: {advice}."))
            }
            Some(Message::Refused(call)) => Reply::Answer(format!(
                "I cannot tell without looking up the weather in {}.",
                call.argument
            )),
            Some(Message::ToolCall(_)) | None => Reply::Answer("I have nothing to answer.".into()),
        }
    }
}

/// The word after the last " in " of `question`, without punctuation.
fn city_in(question: &str) -> Option<String> {
    let (_, rest) = question.rsplit_once(" in ")?;
    let city = rest.split_whitespace().next()?;
    let city = city.trim_matches(|c: char| !c.is_alphanumeric());
    (!city.is_empty()).then(|| city.to_owned())
}

/// The tools the model may call.
pub fn run_tool(call: &Call) -> String {
    match (call.tool.as_str(), call.argument.as_str()) {
        ("weather", "Paris") => "It is 14°C and raining in Paris".into(),
        ("weather", "Oslo") => "It is -3°C and snowing in Oslo".into(),
        ("weather", city) => format!("It is 21°C and sunny in {city}"),
        (tool, _) => format!("There is no tool `{tool}`"),
    }
}

pub struct Agent {
    pub model: ScriptedModel,
}

#[workflow_impl]
impl Agent {
    #[step]
    async fn begin(&self, start: StartEvent) -> Result<Conversation> {
        let question: String = start.get("question")?;
        Ok(Conversation {
            messages: vec![Message::User(question)],
        })
    }

    #[step(writes(Note))]
    async fn think(&self, ctx: &Context<Self>, conversation: Conversation) -> Result<Turn> {
        let mut messages = conversation.messages;
        let calls = messages
            .iter()
            .filter(|message| matches!(message, Message::ToolCall(_)))
            .count();
        anyhow::ensure!(
            calls < MAX_TOOL_CALLS,
            "the model asked for {calls} tools without answering"
        );
        Ok(match self.model.reply(&messages) {
            Reply::Call(call) => {
                ctx.write_event_to_stream(Note {
                    text: format!("model: calls {}({:?})", call.tool, call.argument),
                });
                messages.push(Message::ToolCall(call.clone()));
                Turn::Call(ToolRequested { call, messages })
            }
            Reply::Answer(answer) => Turn::Answer(StopEvent::new(answer)),
        })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn approve(&self, ctx: &Context<Self>, request: ToolRequested) -> Result<Verdict> {
        let prompt = format!(
            "Allow {}({:?})? [y/n] ",
            request.call.tool, request.call.argument
        );
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent { prefix: prompt })
            .timeout(PATIENCE)
            .await?;
        let ToolRequested { call, mut messages } = request;
        if answer.response.trim().to_lowercase().starts_with('y') {
            return Ok(Verdict::Run(Approved { call, messages }));
        }
        messages.push(Message::Refused(call));
        Ok(Verdict::Refused(Conversation { messages }))
    }

    #[step(writes(Note))]
    async fn call_tool(&self, ctx: &Context<Self>, approved: Approved) -> Conversation {
        let result = run_tool(&approved.call);
        ctx.write_event_to_stream(Note {
            text: format!("tool: {result}"),
        });
        let mut messages = approved.messages;
        messages.push(Message::ToolResult(result));
        Conversation { messages }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let question = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Do I need an umbrella in Paris today?".into());
    println!("user: {question}");
    let mut handler = Agent {
        model: ScriptedModel,
    }
    .runner()
    .timeout(PATIENCE * 2)
    .run(StartEvent::new().with("question", question));
    let mut events = handler.stream_events()?;
    let mut terminal = Terminal::new();
    while let Some(event) = events.next().await {
        if let Some(note) = event.downcast_ref::<Note>() {
            println!("{}", note.text);
        } else if let Some(question) = event.downcast_ref::<InputRequiredEvent>() {
            let response = terminal.answer(&question.prefix).await?;
            handler.send_event(HumanResponseEvent { response })?;
        }
    }
    println!("agent: {}", handler.await?);
    Ok(())
}
