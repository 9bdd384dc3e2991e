//! Compile-fail and compile-pass tests of the macros, run with `trybuild`.
//!
//! Each file in `tests/ui/fail/` breaks one rule of the workflow graph or of a
//! step's signature, says which in its header comment, and checks in the
//! compiler's output as a `.stderr` next to it. The files in `tests/ui/pass/`
//! must compile and run. Regenerate the `.stderr` files after a deliberate
//! change of wording with `TRYBUILD=overwrite cargo test --test compile_fail`,
//! then read them.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
