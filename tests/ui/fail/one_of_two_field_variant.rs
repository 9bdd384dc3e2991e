//! `#[derive(OneOf)]` on an enum with a variant carrying two fields: each
//! variant carries exactly one event. The error points at the variant.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Ping;

#[derive(Debug, OneOf)]
enum Next {
    Ping(Ping, Ping),
    Done(StopEvent<String>),
}

fn main() {}
