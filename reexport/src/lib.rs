//! A library that re-exports `typed_workflows` as `wf`, as a crate that
//! wraps it for its users would; its tests define workflows through that
//! path alone, with the macros' `crate = my_lib::wf` option.

/// `typed_workflows`, under the name this crate's users reach it by.
pub use tw as wf;
