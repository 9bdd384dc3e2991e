//! `#[event(start, name = Ask)]`: an event's name is a string literal. The
//! error points at the name, and the role beside it still holds, so the
//! use as a start event raises no second error.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start, name = Ask)]
struct Question;

fn main() {
    let _: <Question as Event>::AsStart = Question;
}
