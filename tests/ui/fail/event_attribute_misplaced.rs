//! `#[event]` put on a function rather than on a struct or enum: one error,
//! on the function, saying where the attribute goes.

use typed_workflows::prelude::*;

#[event]
fn not_a_type() {}

fn main() {
    not_a_type();
}
