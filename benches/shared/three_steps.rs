//! The three-step durable run the benchmarks share: three steps in a line,
//! each adding one, so three invocations, each one round of the run and
//! one commit.

use typed_workflows::prelude::*;

/// The steps of [`ThreeSteps`].
pub const STEPS: u64 = 3;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[event(start)]
pub struct Ask {
    pub number: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
pub struct Second {
    number: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
pub struct Third {
    number: u64,
}

/// Three steps in a line, each adding one.
pub struct ThreeSteps;

workflow! {
    impl ThreeSteps {
        #[step]
        async fn first(&self, ask: Ask) -> Second {
            Second { number: ask.number + 1 }
        }

        #[step]
        async fn second(&self, second: Second) -> Third {
            Third { number: second.number + 1 }
        }

        #[step]
        async fn third(&self, third: Third) -> StopEvent<u64> {
            StopEvent::new(third.number + 1)
        }
    }
}
