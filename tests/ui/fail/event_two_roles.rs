//! `#[event(start, stop)]`: an event has one role. The error points at the
//! second role.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start, stop)]
struct Both;

fn main() {
    println!("{}", <Both as Event>::NAME);
}
