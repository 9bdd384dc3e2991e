//! A loop that branches: the Collatz sequence as a workflow. Even and odd
//! numbers go to different steps, and each step returns one of several events
//! (a `#[derive(OneOf)]` enum): the next number, or the stop event.
//!
//! Run it with `cargo run --example branching_loop`, or pass a start number:
//! `cargo run --example branching_loop -- 97`.

use typed_workflows::anyhow;
use typed_workflows::prelude::*;

#[event]
pub struct Even {
    value: u64,
    path: Vec<u64>,
}

#[event]
pub struct Odd {
    value: u64,
    path: Vec<u64>,
}

/// Where a number goes next.
#[derive(Debug, OneOf)]
pub enum Next {
    Even(Even),
    Odd(Odd),
    Done(StopEvent<Vec<u64>>),
}

impl Next {
    /// The event for `value`, reached by `path`.
    fn after(value: u64, mut path: Vec<u64>) -> Self {
        path.push(value);
        match value {
            1 => Self::Done(StopEvent::new(path)),
            even if even % 2 == 0 => Self::Even(Even { value, path }),
            _ => Self::Odd(Odd { value, path }),
        }
    }
}

pub struct Collatz;

workflow! {
    impl Collatz {
        #[step]
        async fn begin(&self, start: StartEvent) -> Result<Next> {
            let value: u64 = start.get("n")?;
            anyhow::ensure!(value > 0, "the Collatz sequence starts from a positive number, not {value}");
            Ok(Next::after(value, Vec::new()))
        }

        #[step]
        async fn halve(&self, even: Even) -> Next {
            Next::after(even.value / 2, even.path)
        }

        #[step]
        async fn triple_plus_one(&self, odd: Odd) -> Result<Next> {
            let next = odd
                .value
                .checked_mul(3)
                .and_then(|tripled| tripled.checked_add(1))
                .ok_or_else(|| anyhow::anyhow!("{} * 3 + 1 overflows a u64", odd.value))?;
            Ok(Next::after(next, odd.path))
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let n: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 27,
    };
    let path = Collatz.runner().run(StartEvent::new().with("n", n)).await?;
    println!("{n} reaches 1 in {} steps:", path.len() - 1);
    println!("{path:?}");
    Ok(())
}
