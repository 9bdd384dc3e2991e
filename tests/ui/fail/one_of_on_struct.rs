//! `#[derive(OneOf)]` on a struct: it goes on an enum. The error points at the
//! struct's name.

use typed_workflows::prelude::*;

#[derive(Debug, OneOf)]
struct Next(StopEvent<String>);

fn main() {}
