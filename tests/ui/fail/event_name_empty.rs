//! `#[event(name = "")]`: an event's name cannot be empty. The error points
//! at the empty string.

use typed_workflows::prelude::*;

#[event(name = "")]
struct Ask;

fn main() {
    println!("{}", <Ask as Event>::NAME);
}
