//! The command line of the harness.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: cargo bench --bench workloads [-- [--reps N] [--peer FILE]]
  --reps N      repetitions of each timed measurement; the median is reported (default 11)
  --peer FILE   measure at the sizes of a LlamaIndex result file and print the ratios
                (written by benches/peer/llama_index.py; benches/peer/compare.sh does both)";

/// What to run.
pub enum Mode {
    /// Every workload once, small: what `cargo test` runs.
    Smoke,
    /// The table at quick sizes, the scaling series and the memory figures.
    Table,
    /// Our workloads at the sizes of a LlamaIndex result file.
    Peer(PathBuf),
}

pub struct Options {
    pub mode: Mode,
    pub reps: usize,
}

impl Options {
    /// Reads the arguments cargo passes through: `--bench` marks a benchmark
    /// run, its absence a test run; libtest's filters are ignored.
    pub fn from_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut bench = false;
        let mut reps = 11;
        let mut peer = None;
        let mut args = args;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--bench" => bench = true,
                "--reps" => {
                    reps = args
                        .next()
                        .and_then(|value| value.parse().ok())
                        .filter(|&reps| reps > 0)
                        .ok_or("--reps needs a positive number")?;
                }
                "--peer" => peer = Some(PathBuf::from(args.next().ok_or("--peer needs a file")?)),
                "--help" | "-h" => return Err("the benchmark table of `workflows`".to_owned()),
                other if other.starts_with('-') && bench => {
                    return Err(format!("unknown option `{other}`"));
                }
                _ => {}
            }
        }
        let mode = match (bench, peer) {
            (_, Some(path)) => Mode::Peer(path),
            (true, None) => Mode::Table,
            (false, None) => Mode::Smoke,
        };
        Ok(Self { mode, reps })
    }
}
