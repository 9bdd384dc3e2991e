//! An unknown `#[event(...)]` option. The error points at the option and
//! lists the known ones.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(final)]
struct Done;

fn main() {
    println!("{}", <Done as Event>::NAME);
}
