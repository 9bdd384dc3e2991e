//! The logging example's subscriber, writing into a buffer: each line of a
//! run is inside its `workflow` and `step` spans, and the retry is logged.
//! Alone in its test binary: `tracing` caches which callsites a subscriber
//! wants across threads, and other tests' runs on other threads would race
//! with this one's subscriber, which is set for this thread only.

#[allow(dead_code)]
#[path = "../logging.rs"]
mod logging;

use std::io::Write;
use std::sync::{Arc, Mutex};

use typed_workflows::prelude::*;

/// A writer into a buffer that the test reads afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_log_shows_each_line_inside_its_run_and_step_and_the_retry() {
    let captured = Captured::default();
    let writer = captured.clone();
    let filter = tracing_subscriber::EnvFilter::new("debug");
    let _default =
        tracing::subscriber::set_default(logging::subscriber(filter, move || writer.clone()));
    let result = logging::Shop
        .runner()
        .run(StartEvent::new().with("order", 7))
        .await
        .unwrap();
    assert_eq!(result, "order 7 charged");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = |words: &str| {
        log.lines()
            .find(|line| line.contains(words))
            .unwrap_or_else(|| panic!("no line with `{words}` in:\n{log}"))
    };
    let received = line("order received");
    assert!(
        received.contains("workflow{workflow=\"Shop\""),
        "{received}"
    );
    assert!(received.contains("step{step=\"receive\""), "{received}");
    assert!(received.contains("id=7"), "{received}");
    let retried = line("step failed; trying again");
    assert!(
        retried.contains("the payment service timed out"),
        "{retried}"
    );
    assert!(line("charged").contains("attempt=2"), "{log}");
}
