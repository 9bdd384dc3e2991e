//! The durable example as its reader would try it: a process killed with
//! SIGKILL at the question, and started again, goes on at the question
//! with the same draft, without calling the model again.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The example's program, which `cargo test` builds beside this test.
fn example() -> PathBuf {
    let deps = std::env::current_exe().expect("the test knows its path");
    let profile = deps
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    profile.join("examples").join("durable")
}

fn start(store: &std::path::Path, args: &[&str]) -> Child {
    Command::new(example())
        .args(args)
        .env("DURABLE_STORE", store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example is built by `cargo test`")
}

/// Reads `child`'s output until it holds `wanted`; all of it so far.
fn read_until(child: &mut Child, wanted: &str) -> String {
    let stdout = child.stdout.as_mut().expect("piped");
    let mut output = Vec::new();
    let mut chunk = [0; 256];
    while !String::from_utf8_lossy(&output).contains(wanted) {
        let read = stdout.read(&mut chunk).expect("the example writes");
        assert!(
            read > 0,
            "the example ended before `{wanted}`: {}",
            String::from_utf8_lossy(&output)
        );
        output.extend_from_slice(&chunk[..read]);
    }
    String::from_utf8_lossy(&output).into_owned()
}

#[test]
fn killed_at_the_question_it_goes_on_there_when_started_again() {
    let store =
        std::env::temp_dir().join(format!("typed-workflows-example-{}.db", std::process::id()));
    let mut first = start(&store, &["fresh"]);
    let asked = read_until(&mut first, "Keep this haiku?");
    assert!(
        asked.contains("(calling the model about autumn...)"),
        "{asked}"
    );
    first.kill().expect("SIGKILL");
    first.wait().expect("the killed example is reaped");

    let mut second = start(&store, &[]);
    second.stdin.as_mut().unwrap().write_all(b"yes\n").unwrap();
    let mut rest = String::new();
    second
        .stdout
        .as_mut()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    assert!(second.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("Going on with run"), "{rest}");
    assert!(rest.contains("autumn wind rises"), "{rest}");
    assert!(rest.contains("The haiku was kept."), "{rest}");
    assert!(
        !rest.contains("calling the model"),
        "the model was paid twice: {rest}"
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", store.display()));
    }
}
