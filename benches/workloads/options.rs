//! The command line of the harness.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: cargo bench --bench workloads [-- [WORKLOAD ...] [--reps N] [--peer FILE]]
  WORKLOAD      only the workloads whose names contain one of these words
                (chain, fan_out, fan_out_typed, stream, sends, runs, retries, parked,
                sends_peak, snapshot, resume, tracing, parallel, sequential, durable); all if none
  --reps N      repetitions of each timed measurement; the median is reported (default 11)
  --peer FILE   measure at the sizes of a LlamaIndex result file and print the ratios
                (written by benches/peer/llama_index.py; benches/peer/compare.sh does both)
  --traced WORKLOAD LEVEL SIZE
                one measurement of a tracing workload (chain, runs) with a subscriber at LEVEL
                (none, off, info, debug), in nanoseconds: what the tracing rows start this harness for";

/// What to run.
pub enum Mode {
    /// Every workload once, small: what `cargo test` runs.
    Smoke,
    /// The table at quick sizes, the scaling series and the memory figures.
    Table,
    /// Our workloads at the sizes of a LlamaIndex result file.
    Peer(PathBuf),
    /// One measurement of a tracing workload, in a process of its own.
    Traced {
        workload: String,
        level: String,
        size: u64,
    },
}

pub struct Options {
    pub mode: Mode,
    pub reps: usize,
    filters: Vec<String>,
}

impl Options {
    /// Reads the arguments cargo passes through: `--bench` marks a benchmark
    /// run, its absence a test run; libtest's filters are ignored.
    pub fn from_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut bench = false;
        // Eleven: the table times up to three versions of each workload
        // and the CI step runs it whole, in about a minute on 2 cores.
        let mut reps = 11;
        let mut filters = Vec::new();
        let mut peer = None;
        let mut traced = None;
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
                "--traced" => {
                    let mut operand = || args.next().ok_or("--traced needs WORKLOAD LEVEL SIZE");
                    let (workload, level) = (operand()?, operand()?);
                    let size = operand()?
                        .parse()
                        .map_err(|_| "--traced needs a SIZE in operations")?;
                    traced = Some(Mode::Traced {
                        workload,
                        level,
                        size,
                    });
                }
                "--help" | "-h" => {
                    return Err("the benchmark table of `typed-workflows`".to_owned());
                }
                other if other.starts_with('-') && bench => {
                    return Err(format!("unknown option `{other}`"));
                }
                // libtest's own flags, passed by `cargo test`, are not ours.
                other if other.starts_with('-') => {}
                filter => filters.push(filter.to_owned()),
            }
        }
        let mode = match (bench, peer, traced) {
            (_, _, Some(traced)) => traced,
            (_, Some(path), None) => Mode::Peer(path),
            (true, None, None) => Mode::Table,
            (false, None, None) => Mode::Smoke,
        };
        Ok(Self {
            mode,
            reps,
            filters,
        })
    }

    /// Whether the workload `name` was asked for.
    pub fn wants(&self, name: &str) -> bool {
        self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|filter| name.contains(filter.as_str()))
    }
}
