//! The five workloads of the benchmarks, each written twice: with
//! `workflows`, and by hand with plain tokio tasks and channels doing the
//! same work. Both versions check their result, so a benchmark of a broken
//! runtime fails instead of timing nothing.
//!
//! Shared by the table harness (`benches/workloads`) and the criterion
//! benchmarks (`benches/criterion.rs`); each uses the part it needs.
#![allow(dead_code)]

pub mod chain;
pub mod fan_out;
pub mod parked;
pub mod runs;
pub mod stream;
