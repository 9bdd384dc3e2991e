//! The example programs' workflows, each run as its `main` runs it, with
//! what the program would print or show checked: the agent's answers with
//! the tool approved and refused, the mirrors' retries and the cached copy,
//! the word count's shared state, and the progress bar driven to its end.
//! The logging example has `logging.rs` to itself.

#[allow(dead_code)]
#[path = "../agent.rs"]
mod agent;
#[allow(dead_code)]
#[path = "../progress_bar.rs"]
mod progress_bar;
#[allow(dead_code)]
#[path = "../retries.rs"]
mod retries;
#[allow(dead_code)]
#[path = "../state.rs"]
mod state;

use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, State};

// --- agent ---------------------------------------------------------------------------

/// Runs the agent on `question`, answering each approval with `approval`:
/// the notes and prompts it showed, in order, and its answer.
async fn ask_agent(question: &str, approval: &str) -> (Vec<String>, String) {
    let mut handler = agent::Agent {
        model: agent::ScriptedModel,
    }
    .runner()
    .run(StartEvent::new().with("question", question));
    let mut events = handler.stream_events().unwrap();
    let mut shown = Vec::new();
    while let Some(event) = events.next().await {
        if let Some(note) = event.downcast_ref::<agent::Note>() {
            shown.push(note.text.clone());
        } else if let Some(question) = event.downcast_ref::<InputRequiredEvent>() {
            shown.push(question.prefix.clone());
            handler
                .send_event(HumanResponseEvent {
                    response: approval.into(),
                })
                .unwrap();
        }
    }
    (shown, handler.await.unwrap())
}

#[tokio::test]
async fn the_agent_calls_the_approved_tool_and_answers_from_its_result() {
    let (shown, answer) = ask_agent("Do I need an umbrella in Paris today?", "y").await;
    assert_eq!(
        shown,
        [
            r#"model: calls weather("Paris")"#,
            r#"Allow weather("Paris")? [y/n] "#,
            "tool: It is 14°C and raining in Paris",
        ]
    );
    assert_eq!(answer, "It is 14°C and raining in Paris: take an umbrella.");
}

#[tokio::test]
async fn a_refused_tool_call_goes_back_to_the_model_which_answers_without_it() {
    let (shown, answer) = ask_agent("Is it cold in Oslo?", "no").await;
    assert_eq!(
        shown,
        [
            r#"model: calls weather("Oslo")"#,
            r#"Allow weather("Oslo")? [y/n] "#,
        ]
    );
    assert_eq!(
        answer,
        "I cannot tell without looking up the weather in Oslo."
    );
}

#[tokio::test]
async fn the_agent_answers_a_question_that_needs_no_tool_without_asking() {
    let (shown, answer) = ask_agent("What is the time?", "y").await;
    assert!(shown.is_empty(), "{shown:?}");
    assert_eq!(answer, "I can only tell the weather: ask about a city.");
}

// --- retries -------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_flaky_mirror_is_retried_and_a_dead_one_served_from_the_cache() {
    use retries::Source;
    let mut handler = retries::mirrors().runner().run(StartEvent::new());
    let mut events = handler.stream_events().unwrap();
    let mut notes = Vec::new();
    while let Some(event) = events.next().await {
        if let Some(note) = event.downcast_ref::<retries::Note>() {
            notes.push(note.text.clone());
        }
    }
    let pages = handler.await.unwrap();
    let pages: Vec<(&str, &Source)> = pages
        .iter()
        .map(|page| (page.host.as_str(), &page.source))
        .collect();
    assert_eq!(
        pages,
        [
            ("a.example", &Source::Mirror { attempt: 1 }),
            ("b.example", &Source::Mirror { attempt: 3 }),
            ("c.example", &Source::Cache { attempts: 4 }),
        ]
    );
    notes.sort();
    assert_eq!(
        notes,
        [
            "b.example: attempt 2 after: connection reset by b.example",
            "b.example: attempt 3 after: connection reset by b.example",
            "c.example: attempt 2 after: c.example is unreachable",
            "c.example: attempt 3 after: c.example is unreachable",
            "c.example: attempt 4 after: c.example is unreachable",
            "c.example: gave up after 4 attempts (c.example is unreachable); serving the cached copy",
        ]
    );
}

// --- state ---------------------------------------------------------------------------

fn text(text: &str) -> StartEvent {
    StartEvent::new().with("text", text)
}

#[tokio::test]
async fn runs_given_one_state_add_to_one_tally_which_the_caller_reads() {
    let tally = State::new(state::Tally::default());
    let runner = state::WordCount.runner();
    let [first, second] = state::TEXTS;
    let distinct = runner.run_with_state(text(first), tally.clone()).await;
    assert_eq!(distinct.unwrap(), 11);
    let distinct = runner.run_with_state(text(second), tally.clone()).await;
    assert_eq!(distinct.unwrap(), 16);
    assert_eq!(
        tally.read(|tally| tally.top(3)),
        [
            ("the".to_owned(), 6),
            ("sea".to_owned(), 3),
            ("whale".to_owned(), 2)
        ]
    );
}

#[tokio::test]
async fn a_run_given_no_state_counts_from_an_empty_tally() {
    let runner = state::WordCount.runner();
    assert_eq!(runner.run(text(state::TEXTS[1])).await.unwrap(), 8);
    assert_eq!(runner.run(text(" \n")).await.unwrap(), 0);
}

// --- progress_bar --------------------------------------------------------------------

#[tokio::test]
async fn the_bar_is_as_long_as_the_fan_out_and_reaches_its_end() {
    let bar = indicatif::ProgressBar::hidden();
    let index = progress_bar::embed_with_bar(progress_bar::documents(300), &bar)
        .await
        .unwrap();
    assert_eq!(index.documents, 300);
    assert!(index.in_order);
    assert_eq!(bar.length(), Some(300));
    assert_eq!(bar.position(), 300);
    assert!(bar.is_finished());
}
