//! The traits behind the compile-time checks of `workflow!`.
//!
//! The macros implement them and the code they generate asks for them, so
//! that a mistake in a workflow is a compiler error naming the type at
//! fault; that is why they appear in compiler messages. A program does not
//! implement them or name them: derive [`Event`](crate::Event) or
//! [`OneOf`](https://docs.rs/workflow-macros) and declare what steps send,
//! write and wait for in `#[step(...)]`.

pub use crate::context::{SentBy, WrittenBy};
pub use crate::emit::{EmitAs, OneOfVariant, ReturnAs, Split, StepError, VariantAs, split};
pub use crate::input::WaitedBy;
pub use workflow_model::__private::{
    JoinStart, JoinStop, OfResult, Plain, Returned, Shape, Single, StepParam,
};
