//! A step that returns a `Result` whose error type, `String`, does not
//! convert into `anyhow::Error` (it does not implement `std::error::Error`).
//! The error names the error type as the problem, rather than refusing the
//! whole return type, and says what to return instead.

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct Mid {
    n: u32,
}

struct W;

workflow! {
    impl W {
        #[step]
        async fn begin(&self, _ev: StartEvent) -> std::result::Result<Mid, String> {
            Ok(Mid { n: 1 })
        }

        #[step]
        async fn finish(&self, mid: Mid) -> Result<StopEvent<u32>> {
            Ok(StopEvent::new(mid.n))
        }
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 1);
}
