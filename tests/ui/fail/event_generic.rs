//! `#[derive(Event)]` on a generic type: the graph checks need one concrete
//! type per event. The error points at the generic parameters.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Wrapped<T> {
    value: T,
}

fn main() {}
