//! `#[event(name = "Ask", name = "Query")]`: an event has one name. The
//! error points at the second `name`.

use typed_workflows::prelude::*;

#[event(input, name = "Ask", name = "Query")]
struct Question;

fn main() {
    println!("{}", <Question as Event>::NAME);
}
