//! `#[data(rename_all = "camelCase")]`: `#[data]` takes no arguments (serde's
//! options go in `#[serde(...)]`), so one error, on the first argument.

use typed_workflows::prelude::*;

#[data(rename_all = "camelCase")]
#[derive(Default)]
struct Tally {
    seen_pages: u32,
}

fn main() {
    let _ = Tally::default().seen_pages;
}
