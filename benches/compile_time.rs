//! Compile time: how long the user's crate takes to build as its workflow
//! grows, against the same steps written as plain async functions.
//!
//! `#[workflow_impl]` checks a workflow's event graph in the compiler: it
//! turns the `#[step]` signatures into `const` items that rustc evaluates on
//! every build of the crate that defines the workflow. That cost must stay
//! small and grow linearly with the number of steps: a 100-step workflow
//! should build within 5x of its plain twin, and the time per step should not
//! rise with the number of steps.
//!
//! For each size N, this generates a cargo workspace under
//! `target/compile-time/` (in the target directory the benchmark is built
//! in) with two library crates that do the same work:
//!
//! - `workflow_N`: a chain of N `#[step]`s through N - 1 events, from
//!   `StartEvent` to `StopEvent<u64>`, each step adding one to a counter;
//! - `plain_N`: the same events with the same serde derives, and the same
//!   bodies as N plain `async fn`s chained by hand with `.await?`.
//!
//! The workspace is pinned to this repository's `Cargo.lock` and built
//! offline when cargo's cache allows. Every crate is built once, untimed, so
//! that its dependencies are built; then, for `cargo build` and `cargo check`,
//! each crate's `src/lib.rs` is touched and the crate rebuilt with
//! `CARGO_INCREMENTAL=0`, so that only that crate is compiled, and the median
//! wall time of the rebuilds is reported. A crate that fails to build is
//! reported with the end of its errors, and the other sizes go on.
//!
//! ```text
//! cargo bench --bench compile_time                           # N = 10, 50, 100, 200; 3 runs each
//! cargo bench --bench compile_time -- --steps 5,10 --runs 1  # a quick check of the harness
//! COMPILE_TIME_STEPS=10,20 COMPILE_TIME_RUNS=5 cargo bench --bench compile_time
//! ```

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{self, ExitCode};
use std::time::{Duration, Instant, SystemTime};
use std::{env, io};

const USAGE: &str = "\
usage: cargo bench --bench compile_time [-- [--steps N,N,...] [--runs K]]
  --steps N,...  the workflow sizes, in steps, each at least 2
                 (default 10,50,100,200, or $COMPILE_TIME_STEPS)
  --runs K       timed rebuilds of each crate per cargo command; the median is
                 reported (default 3, or $COMPILE_TIME_RUNS)";

/// How many lines of a failed command's stderr to show.
const STDERR_TAIL: usize = 20;

fn main() -> ExitCode {
    let options = match Options::from_env_and_args(env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match bench(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("compile_time: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Generates the crates, builds them once, times their rebuilds and prints
/// the table.
fn bench(options: &Options) -> Result<(), Failure> {
    println!("{}\n", rustc_version());
    let crates: Vec<Crate> = options
        .steps
        .iter()
        .flat_map(|&steps| Shape::ALL.map(|shape| Crate { shape, steps }))
        .collect();
    let workspace = Workspace::generate(&workspace_dir(), &crates)
        .map_err(|error| Failure::new("generating the workspace", error))?;
    workspace.fetch()?;
    let built: Vec<(Crate, Subcommand)> = crates
        .iter()
        .flat_map(|&krate| Subcommand::ALL.map(|subcommand| (krate, subcommand)))
        .filter(|&(krate, subcommand)| report(workspace.warm_up(krate, subcommand)).is_some())
        .collect();
    let mut medians = Medians::new();
    for (krate, subcommand) in built {
        if let Some(median) = report(workspace.measure(krate, subcommand, options.runs)) {
            medians.insert((krate, subcommand), median);
        }
    }
    print_table(&options.steps, &medians, options.runs);
    Ok(())
}

/// The sizes and the number of runs, from the environment and the arguments.
struct Options {
    /// The workflow sizes, ascending.
    steps: Vec<usize>,
    /// Timed rebuilds of each crate per cargo command.
    runs: usize,
}

impl Options {
    /// `$COMPILE_TIME_STEPS` and `$COMPILE_TIME_RUNS`, overridden by
    /// `--steps` and `--runs`; the `--bench` cargo passes is ignored.
    fn from_env_and_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut steps = env::var("COMPILE_TIME_STEPS").unwrap_or_else(|_| "10,50,100,200".into());
        let mut runs = env::var("COMPILE_TIME_RUNS").unwrap_or_else(|_| "3".into());
        let mut args = args;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--bench" => {}
                "--steps" => steps = args.next().ok_or("--steps needs a list of sizes")?,
                "--runs" => runs = args.next().ok_or("--runs needs a number")?,
                "--help" | "-h" => {
                    return Err("the compile-time benchmark of `typed-workflows`".into());
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(Self {
            steps: parse_steps(&steps)?,
            runs: runs
                .parse()
                .ok()
                .filter(|&runs| runs > 0)
                .ok_or_else(|| format!("the number of runs `{runs}` is not a positive number"))?,
        })
    }
}

/// `10,50` as `[10, 50]`: sorted, without repeats, each at least 2 (a first
/// and a last step).
fn parse_steps(list: &str) -> Result<Vec<usize>, String> {
    let mut steps = list
        .split(',')
        .map(|size| {
            size.trim()
                .parse()
                .ok()
                .filter(|&steps| steps >= 2)
                .ok_or_else(|| format!("the size `{size}` is not a number of steps of at least 2"))
        })
        .collect::<Result<Vec<usize>, _>>()?;
    steps.sort_unstable();
    steps.dedup();
    Ok(steps)
}

/// The two ways of writing the chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    /// `#[workflow_impl]` with `#[step]`s.
    Workflow,
    /// Async functions chained by hand.
    Plain,
}

impl Shape {
    const ALL: [Self; 2] = [Self::Workflow, Self::Plain];

    fn name(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Plain => "plain",
        }
    }
}

/// One generated crate: a chain of `steps` steps written as `shape`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Crate {
    shape: Shape,
    steps: usize,
}

impl Crate {
    /// The package name, like `workflow_10`.
    fn name(self) -> String {
        format!("{}_{}", self.shape.name(), self.steps)
    }

    /// The crate's `Cargo.toml`.
    fn manifest(self, repo: &Path) -> String {
        let dependencies = match self.shape {
            Shape::Workflow => format!(
                "typed-workflows = {{ path = {:?} }}",
                repo.display().to_string()
            ),
            Shape::Plain => "anyhow = \"1\"".to_owned(),
        };
        format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{dependencies}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n",
            self.name()
        )
    }

    /// The crate's `src/lib.rs`.
    fn source(self) -> String {
        match self.shape {
            Shape::Workflow => workflow_source(self.steps),
            Shape::Plain => plain_source(self.steps),
        }
    }
}

/// `E1` to `E{steps - 1}`, each a `u64` with `derives`.
fn event_structs(steps: usize, derives: &str) -> String {
    (1..steps)
        .map(|k| format!("#[derive({derives})]\npub struct E{k} {{\n    pub n: u64,\n}}\n\n"))
        .collect()
}

/// The chain as a workflow: `s0` takes the `StartEvent`, `s{k}` the event
/// `E{k}`, and the last step returns the `StopEvent`.
fn workflow_source(steps: usize) -> String {
    let last = steps - 1;
    let step = |k: usize| {
        let (input, value) = match k {
            0 => ("StartEvent".to_owned(), "ev.get::<u64>(\"n\")?"),
            _ => (format!("E{k}"), "ev.n"),
        };
        let (output, result) = if k == last {
            (
                "StopEvent<u64>".to_owned(),
                format!("StopEvent::new({value} + 1)"),
            )
        } else {
            (
                format!("E{}", k + 1),
                format!("E{} {{ n: {value} + 1 }}", k + 1),
            )
        };
        format!(
            "    #[step]\n    async fn s{k}(&self, ev: {input}) -> Result<{output}> {{\n        Ok({result})\n    }}\n"
        )
    };
    format!(
        "//! Generated by benches/compile_time.rs: a chain of {steps} steps, as a workflow.\n\n\
         use typed_workflows::prelude::*;\n\n\
         {events}\
         /// The chain: each step takes the event before it.\n\
         pub struct Chain;\n\n\
         #[workflow_impl]\n\
         impl Chain {{\n{steps_code}}}\n\n\
         /// Runs the chain from 0: returns the number of steps.\n\
         pub async fn run() -> u64 {{\n    \
             Chain.runner().run(StartEvent::new().with(\"n\", 0u64)).await.unwrap()\n\
         }}\n",
        events = event_structs(steps, "Debug, Clone, Serialize, Deserialize, Event"),
        steps_code = (0..steps).map(step).collect::<Vec<_>>().join("\n"),
    )
}

/// The chain by hand: `s0` takes the start value, `s{k}` the event `E{k}`,
/// the last step returns the result, and `chain` awaits them in turn.
fn plain_source(steps: usize) -> String {
    let last = steps - 1;
    let step = |k: usize| {
        let (input, value) = match k {
            0 => ("n: u64".to_owned(), "n"),
            _ => (format!("ev: E{k}"), "ev.n"),
        };
        let (output, result) = if k == last {
            ("u64".to_owned(), format!("{value} + 1"))
        } else {
            (
                format!("E{}", k + 1),
                format!("E{} {{ n: {value} + 1 }}", k + 1),
            )
        };
        format!("async fn s{k}({input}) -> anyhow::Result<{output}> {{\n    Ok({result})\n}}\n\n")
    };
    let awaits: String = (0..last)
        .map(|k| {
            let input = if k == 0 {
                "n".to_owned()
            } else {
                format!("e{k}")
            };
            format!("    let e{} = s{k}({input}).await?;\n", k + 1)
        })
        .collect();
    format!(
        "//! Generated by benches/compile_time.rs: a chain of {steps} steps, by hand.\n\n\
         use serde::{{Deserialize, Serialize}};\n\n\
         {events}\
         {steps_code}\
         /// Runs the chain from 0: returns the number of steps.\n\
         pub async fn run() -> u64 {{\n    chain(0).await.unwrap()\n}}\n\n\
         async fn chain(n: u64) -> anyhow::Result<u64> {{\n{awaits}    s{last}(e{last}).await\n}}\n",
        events = event_structs(steps, "Debug, Clone, Serialize, Deserialize"),
        steps_code = (0..steps).map(step).collect::<String>(),
    )
}

/// The two cargo commands timed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Subcommand {
    Build,
    Check,
}

impl Subcommand {
    const ALL: [Self; 2] = [Self::Build, Self::Check];

    fn name(self) -> &'static str {
        match self {
            Self::Build => "build",
            Self::Check => "check",
        }
    }
}

/// The median rebuild time of each crate under each command that succeeded.
type Medians = HashMap<(Crate, Subcommand), Duration>;

/// Where the generated workspace goes: `compile-time/` in the target
/// directory this benchmark was built in (`CARGO_TARGET_TMPDIR` is its
/// `tmp/`).
fn workspace_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("compile-time")
}

/// The generated cargo workspace.
struct Workspace {
    dir: PathBuf,
    /// The cargo that runs this benchmark, so that the toolchain is the same.
    cargo: OsString,
}

impl Workspace {
    /// Writes the crates, the workspace manifest and this repository's
    /// `Cargo.lock` into `dir`.
    fn generate(dir: &Path, crates: &[Crate]) -> io::Result<Self> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the benchmarks' package is a folder of the repository");
        for &krate in crates {
            let root = dir.join(krate.name());
            fs::create_dir_all(root.join("src"))?;
            fs::write(root.join("Cargo.toml"), krate.manifest(repo))?;
            fs::write(root.join("src/lib.rs"), krate.source())?;
        }
        let members: Vec<String> = crates
            .iter()
            .map(|krate| format!("{:?}", krate.name()))
            .collect();
        fs::write(
            dir.join("Cargo.toml"),
            format!(
                "# Generated by benches/compile_time.rs, on every run.\n\
                 [workspace]\nmembers = [{}]\nresolver = \"3\"\n",
                members.join(", ")
            ),
        )?;
        fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock"))?;
        Ok(Self {
            dir: dir.to_owned(),
            cargo: env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        })
    }

    /// Downloads the dependencies, unless cargo's cache has them all.
    fn fetch(&self) -> Result<(), Failure> {
        let offline = run_cargo(
            self.cargo("fetch").arg("--offline"),
            "cargo fetch --offline",
        );
        if offline.is_ok() {
            return Ok(());
        }
        eprintln!("cargo fetch --offline failed: fetching the dependencies from the registry");
        run_cargo(&mut self.cargo("fetch"), "cargo fetch").map(drop)
    }

    /// The first, untimed build of `krate`, which builds its dependencies.
    fn warm_up(&self, krate: Crate, subcommand: Subcommand) -> Result<(), Failure> {
        eprintln!("warming up: {}", command_line(krate, subcommand));
        self.compile(krate, subcommand).map(drop)
    }

    /// The median of `runs` rebuilds of `krate` alone. A rebuild that also
    /// compiled a dependency (edited meanwhile) is not counted, and run again.
    fn measure(
        &self,
        krate: Crate,
        subcommand: Subcommand,
        runs: usize,
    ) -> Result<Duration, Failure> {
        let mut times = Vec::with_capacity(runs);
        let mut discarded = 0;
        while times.len() < runs {
            let rebuild = self.rebuild(krate, subcommand)?;
            if rebuild.others.is_empty() {
                times.push(rebuild.time);
            } else if discarded < runs {
                discarded += 1;
                eprintln!("  also compiled {}: not counted", rebuild.others.join(", "));
            } else {
                return Err(Failure::new(
                    &command_line(krate, subcommand),
                    "its dependencies kept being recompiled: are they being edited?",
                ));
            }
        }
        let median = median(times);
        eprintln!(
            "timed: {}: {:.2} s",
            command_line(krate, subcommand),
            median.as_secs_f64()
        );
        Ok(median)
    }

    /// Touches `krate`'s `src/lib.rs` and compiles it again.
    fn rebuild(&self, krate: Crate, subcommand: Subcommand) -> Result<Rebuild, Failure> {
        let lib = self.dir.join(krate.name()).join("src/lib.rs");
        File::options()
            .write(true)
            .open(&lib)
            .and_then(|file| file.set_modified(SystemTime::now()))
            .map_err(|error| Failure::new(&format!("touching {}", lib.display()), error))?;
        let start = Instant::now();
        let stderr = self.compile(krate, subcommand)?;
        let time = start.elapsed();
        let name = krate.name();
        let others = compiled_packages(&stderr)
            .filter(|package| *package != name)
            .map(str::to_owned)
            .collect();
        Ok(Rebuild { time, others })
    }

    /// `cargo build` or `cargo check` of `krate`, in the workspace's own
    /// target directory: what it printed to stderr.
    fn compile(&self, krate: Crate, subcommand: Subcommand) -> Result<String, Failure> {
        let mut command = self.cargo(subcommand.name());
        command
            .args(["--offline", "--color", "never", "--package"])
            .arg(krate.name())
            .arg("--target-dir")
            .arg(self.dir.join("target"))
            .env("CARGO_INCREMENTAL", "0");
        run_cargo(&mut command, &command_line(krate, subcommand))
    }

    /// A cargo command on this workspace.
    fn cargo(&self, subcommand: &str) -> process::Command {
        let mut command = process::Command::new(&self.cargo);
        command
            .arg(subcommand)
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .current_dir(&self.dir);
        command
    }
}

/// Runs `command`, named `what` in errors: its stderr if it succeeded.
fn run_cargo(command: &mut process::Command, what: &str) -> Result<String, Failure> {
    let output = command
        .output()
        .map_err(|error| Failure::new(what, error))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stderr)
    } else {
        Err(Failure::new(
            what,
            format!("{}; its stderr ends:\n{}", output.status, tail(&stderr)),
        ))
    }
}

/// One timed rebuild.
struct Rebuild {
    time: Duration,
    /// The packages compiled other than the one rebuilt.
    others: Vec<String>,
}

/// The packages cargo says it compiled, from its `Compiling name vX` and
/// `Checking name vX` lines.
fn compiled_packages(stderr: &str) -> impl Iterator<Item = &str> {
    stderr.lines().filter_map(|line| {
        let line = line.trim_start();
        let rest = line
            .strip_prefix("Compiling ")
            .or_else(|| line.strip_prefix("Checking "))?;
        rest.split_whitespace().next()
    })
}

/// `cargo build -p workflow_10`.
fn command_line(krate: Crate, subcommand: Subcommand) -> String {
    format!("cargo {} -p {}", subcommand.name(), krate.name())
}

/// The last lines of `text`, indented.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(STDERR_TAIL);
    lines[start..]
        .iter()
        .map(|line| format!("    {line}\n"))
        .collect()
}

/// A command that did not succeed.
struct Failure {
    what: String,
    detail: String,
}

impl Failure {
    fn new(what: &str, detail: impl fmt::Display) -> Self {
        Self {
            what: what.to_owned(),
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.what, self.detail)
    }
}

/// `result`'s value, or `None` after printing its failure.
fn report<T>(result: Result<T, Failure>) -> Option<T> {
    result
        .map_err(|failure| eprintln!("FAILED: {failure}"))
        .ok()
}

/// The middle of `times`, or the mean of the two middle ones.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    let middle = times.len() / 2;
    if times.len().is_multiple_of(2) {
        (times[middle - 1] + times[middle]) / 2
    } else {
        times[middle]
    }
}

/// `rustc --version`, of the rustc that cargo runs.
fn rustc_version() -> String {
    process::Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map_or_else(
            || "rustc: version unknown".to_owned(),
            |output| String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
}

/// The table, then the time per step at the smallest and the largest size.
fn print_table(steps: &[usize], medians: &Medians, runs: usize) {
    println!(
        "Compile time of the crate alone (dependencies built), after touching its src/lib.rs,\n\
         with CARGO_INCREMENTAL=0; median of {runs} run(s), in seconds. ratio = workflow / plain;\n\
         the aim: within 5x at 100 steps, and a time per step that does not grow with the steps.\n"
    );
    println!(
        "| steps | workflow build | plain build | ratio | workflow check | plain check | ratio |"
    );
    println!(
        "|------:|---------------:|------------:|------:|---------------:|------------:|------:|"
    );
    for &n in steps {
        let cells = Subcommand::ALL.map(|subcommand| {
            let [workflow, plain] =
                Shape::ALL.map(|shape| medians.get(&(Crate { shape, steps: n }, subcommand)));
            format!(
                "{:>14} | {:>11} | {:>5}",
                seconds(workflow),
                seconds(plain),
                ratio(workflow, plain)
            )
        });
        println!("| {n:>5} | {} | {} |", cells[0], cells[1]);
    }
    println!();
    for subcommand in Subcommand::ALL {
        for shape in Shape::ALL {
            if let Some(growth) = growth(steps, medians, shape, subcommand) {
                println!(
                    "{} time per step, {}: {growth}",
                    subcommand.name(),
                    shape.name()
                );
            }
        }
    }
}

/// `1.23`, or `failed` where there is no time.
fn seconds(time: Option<&Duration>) -> String {
    time.map_or_else(
        || "failed".to_owned(),
        |time| format!("{:.2}", time.as_secs_f64()),
    )
}

/// `1.85x`, or `-` where either time is missing.
fn ratio(ours: Option<&Duration>, theirs: Option<&Duration>) -> String {
    match (ours, theirs) {
        (Some(ours), Some(theirs)) => format!("{:.2}x", ours.as_secs_f64() / theirs.as_secs_f64()),
        _ => "-".to_owned(),
    }
}

/// `10 steps 52.0 ms/step, 200 steps 10.1 ms/step`: at the smallest and the
/// largest size measured.
fn growth(
    steps: &[usize],
    medians: &Medians,
    shape: Shape,
    subcommand: Subcommand,
) -> Option<String> {
    let measured: Vec<(usize, Duration)> = steps
        .iter()
        .filter_map(|&n| {
            medians
                .get(&(Crate { shape, steps: n }, subcommand))
                .map(|&time| (n, time))
        })
        .collect();
    let per_step = |&(n, time): &(usize, Duration)| {
        format!(
            "{n} steps {:.1} ms/step",
            time.as_secs_f64() * 1e3 / n as f64
        )
    };
    let (first, last) = (measured.first()?, measured.last()?);
    Some(if measured.len() == 1 {
        per_step(first)
    } else {
        format!("{}, {}", per_step(first), per_step(last))
    })
}
