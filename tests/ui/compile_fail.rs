//! Compile-fail and compile-pass tests of the macros, run with `trybuild`.
//!
//! Each file in `tests/ui/fail/` breaks one rule of the workflow graph or of a
//! step's signature, says which in its header comment, and checks in the
//! compiler's output as a `.stderr` next to it. The files in `tests/ui/pass/`
//! must compile and run. Regenerate the `.stderr` files after a deliberate
//! change of wording with `TRYBUILD=overwrite cargo test --test compile_fail`,
//! then read them.
//!
//! The `.stderr` files hold rustc's own wording too, which changes between
//! versions: they are written for the toolchain named in `tests/ui/TOOLCHAIN`
//! (which `.ci/run` also reads, to run this suite there). On another
//! toolchain the suite is skipped, saying so; under CI (`$CI` set), that
//! fails the test instead.

use std::io::Write;
use std::process::Command;

/// The toolchain the `.stderr` files are written for, as `rustc --version`
/// names it.
const TOOLCHAIN: &str = include_str!("TOOLCHAIN");

#[test]
fn ui() {
    let expected = TOOLCHAIN.trim();
    let found = rustc_version();
    if found != expected {
        let message = format!(
            "the compile-fail suite's messages are written for rustc {expected} (tests/ui/TOOLCHAIN), \
             and this is rustc {found}: not checked; run it with `cargo +{expected} test --test compile_fail`"
        );
        assert!(std::env::var_os("CI").is_none(), "{message}");
        // Past libtest's capture of `eprintln!`, so that it shows.
        writeln!(std::io::stderr(), "{message}").unwrap();
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/*.rs");
    cases.pass("pass/*.rs");
}

/// The version of the rustc that builds the cases: the one named by
/// `$RUSTC`, else the `rustc` on `PATH` (under rustup, of the toolchain
/// that runs this test), as `1.95.0`.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .unwrap_or_else(|error| panic!("running {} --version: {error}", rustc.display()));
    let version = String::from_utf8_lossy(&output.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    version
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no version in `rustc --version`: {version}"))
        .to_owned()
}
