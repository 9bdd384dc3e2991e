//! `#[event(crate = typed_workflows, crate = ::typed_workflows)]`: the
//! path to the runtime is given once. The error points at the second
//! `crate`.

use typed_workflows::prelude::*;

#[event(crate = typed_workflows, crate = ::typed_workflows)]
struct Ask;

fn main() {
    println!("{}", <Ask as Event>::NAME);
}
