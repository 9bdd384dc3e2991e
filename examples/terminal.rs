//! Answers typed at the terminal, or piped in, for the examples that ask a
//! person something.

use std::io::{IsTerminal, Write};
use typed_workflows::anyhow;

use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};

/// The person at the terminal, answering from standard input.
pub struct Terminal {
    lines: Lines<BufReader<Stdin>>,
}

impl Terminal {
    /// Reads answers from standard input.
    pub fn new() -> Self {
        Self {
            lines: BufReader::new(tokio::io::stdin()).lines(),
        }
    }

    /// Prints `prompt` and reads the answer: the next line that is not
    /// blank, asking again after a blank one. Piped answers are not
    /// echoed, so they are printed as if typed.
    ///
    /// # Errors
    ///
    /// If standard input ends first, or cannot be read.
    pub async fn answer(&mut self, prompt: &str) -> anyhow::Result<String> {
        loop {
            print!("{prompt}");
            std::io::stdout().flush()?;
            let Some(line) = self.lines.next_line().await? else {
                println!();
                anyhow::bail!("the input ended before the workflow had its answer");
            };
            if !std::io::stdin().is_terminal() {
                println!("{line}");
            }
            if !line.trim().is_empty() {
                return Ok(line);
            }
        }
    }
}
