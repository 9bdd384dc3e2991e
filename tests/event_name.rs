//! `#[event(name = "...")]`: the stable name an event keeps across renames
//! of its type, with a role beside it, in the attribute and in the derive;
//! two types of one type name living side by side in one workflow once one
//! of them is named; and the built-in events' names unchanged.

use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, StepFailedEvent};

/// Once called `Ask`: runs recorded then name it so.
#[event(name = "Ask")]
struct Question {
    text: String,
}

#[event(start, name = "Begin")]
struct Kickoff {
    topic: String,
}

#[event(input, name = "Reply")]
struct Answer {
    text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[serde(crate = "typed_workflows::serde")]
#[event(stop, name = "Done")]
struct Finished {
    text: String,
}

// `name` and the role in two attributes of the derive, in either order.
#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[serde(crate = "typed_workflows::serde")]
#[event(name = "Note")]
#[event(outbound)]
struct Remark;

#[test]
fn the_name_given_is_the_events_name_whatever_its_role() {
    assert_eq!(<Question as Event>::NAME, "Ask");
    assert_eq!(<Kickoff as Event>::NAME, "Begin");
    assert_eq!(<Answer as Event>::NAME, "Reply");
    assert_eq!(<Finished as Event>::NAME, "Done");
    assert_eq!(<Remark as Event>::NAME, "Note");
    let event = AnyEvent::new(Question {
        text: "why?".to_owned(),
    });
    assert_eq!(event.name(), "Ask");
    assert_eq!(event.downcast_ref::<Question>().unwrap().text, "why?");
}

#[test]
fn built_in_events_keep_their_names() {
    assert_eq!(<StartEvent as Event>::NAME, "StartEvent");
    assert_eq!(<StopEvent<u32> as Event>::NAME, "StopEvent");
    assert_eq!(<StepFailedEvent as Event>::NAME, "StepFailedEvent");
    assert_eq!(<InputRequiredEvent as Event>::NAME, "InputRequiredEvent");
    assert_eq!(<HumanResponseEvent as Event>::NAME, "HumanResponseEvent");
}

mod old {
    use typed_workflows::prelude::*;

    /// The first version of a hop, kept under its own name.
    #[event(name = "OldHop")]
    pub struct Hop;
}

mod new {
    use typed_workflows::prelude::*;

    #[event]
    pub struct Hop;
}

struct Relay;

#[workflow_impl]
impl Relay {
    #[step]
    async fn begin(&self, kickoff: Kickoff) -> old::Hop {
        assert_eq!(kickoff.topic, "relay");
        old::Hop
    }

    #[step]
    async fn pass(&self, _hop: old::Hop) -> new::Hop {
        new::Hop
    }

    #[step]
    async fn ask(&self, _hop: new::Hop) -> Question {
        Question {
            text: "done?".to_owned(),
        }
    }

    #[step]
    async fn finish(&self, question: Question) -> Finished {
        Finished {
            text: question.text,
        }
    }
}

#[tokio::test]
async fn two_types_of_one_type_name_run_in_one_workflow_once_one_is_named() {
    let mut handler = Relay.runner().run(Kickoff {
        topic: "relay".to_owned(),
    });
    let mut stream = handler.stream_events().unwrap();
    let mut names = Vec::new();
    while let Some(event) = stream.next().await {
        names.push(event.name());
    }
    let finished = handler.await.unwrap();
    assert_eq!(finished.text, "done?");
    assert_eq!(names.last(), Some(&"Done"));
    assert_eq!(<old::Hop as Event>::NAME, "OldHop");
    assert_eq!(<new::Hop as Event>::NAME, "Hop");
}
