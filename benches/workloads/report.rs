//! Printing the results: ratios first, absolute figures as context.

use crate::suite::{Target, Timed};

/// What a row measures.
#[derive(Clone, Copy)]
pub enum Measure {
    /// Nanoseconds per operation.
    Time,
    /// Bytes per operation.
    Bytes,
}

/// One workload at one size, every version.
#[derive(Clone)]
pub struct Row {
    pub name: &'static str,
    pub size: u64,
    pub unit: &'static str,
    pub measure: Measure,
    pub ours: f64,
    /// The baseline: the hand-written program of issue 6, or for the
    /// tracing rows the same workload without a subscriber.
    pub by_hand: f64,
    /// The strongest hand-written program of the same shape, if it is not
    /// the baseline.
    pub strongest: Option<f64>,
    pub target: Target,
}

impl Row {
    /// A row of a timed workload, from the costs in nanoseconds per
    /// operation of its versions: ours, the baseline, then the strongest if
    /// it has one.
    pub fn timed(workload: &Timed, size: u64, costs: &[f64]) -> Self {
        Self {
            name: workload.name,
            size,
            unit: workload.unit,
            measure: Measure::Time,
            ours: costs[0],
            by_hand: costs[1],
            strongest: costs.get(2).copied(),
            target: workload.target,
        }
    }

    /// Whether ours meets the target, if there is one to meet.
    fn met(&self) -> Option<bool> {
        match self.target {
            Target::PerOp(most) => Some(self.ours <= most),
            Target::OverBaseline(most) => Some(self.ours <= most * self.by_hand),
            Target::OverStrongest(most) => self
                .strongest
                .map(|strongest| self.ours <= most * strongest),
            Target::None => None,
        }
    }

    /// The target as printed: an amount per operation or a ratio.
    fn target_text(&self) -> String {
        match self.target {
            Target::PerOp(most) => format!("<= {}", amount(self.measure, most)),
            Target::OverBaseline(most) => format!("<= {most}x base"),
            Target::OverStrongest(most) => format!("<= {most}x strong"),
            Target::None => String::new(),
        }
    }
}

/// The machine and the method, above every table.
pub fn header(reps: usize) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("workflows benchmarks: {}, {cores} cores", cpu_model());
    println!(
        "tokio multi-thread runtime, {cores} workers; each figure is the median of {reps} repetitions \
         (memory: of up to 5)"
    );
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// The main table.
pub fn table(rows: &[Row]) {
    println!(
        "`typed-workflows` and the hand-written versions take turns; each ratio is workflows / that version,\n\
         below 1 is faster or smaller than the hand-written program.\n\
         baseline: the hand-written tokio program of issue 6;\n\
         strongest: the strongest hand-written program of the same shape as one run (chain: a loop in one task;\n\
         fan_out*: one task driving 8 futures; runs, parked: a hand-written run with an event stream,\n\
         cancellation and a timeout); `usable`: the bytes malloc hands out (malloc_usable_size), not those asked for.\n\
         Targets are printed, not enforced.\n"
    );
    lines(rows);
}

/// The tracing rows.
pub fn tracing(rows: &[Row], reps: usize) {
    println!(
        "\ntracing: our workload under a tracing_subscriber fmt subscriber writing to a sink, at OFF, INFO and DEBUG;\n\
         baseline: the same workload without a subscriber. Each measurement in a process of its own, the four\n\
         taking turns (median of {reps})"
    );
    lines(rows);
}

/// The heading and the rows of a table, with their targets.
fn lines(rows: &[Row]) {
    println!("{}  {:>16}  met", columns(), "target");
    for row in rows {
        let met = match row.met() {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        println!("{}  {:>16}  {met}", comparison(row), row.target_text());
    }
}

/// The heading of the columns that [`comparison`] fills.
fn columns() -> String {
    format!(
        "{:<22} {:>10} {:>16} {:>16} {:>8} {:>16} {:>8}",
        "workload", "size", "workflows", "baseline", "ratio", "strongest", "ratio"
    )
}

/// The columns every table shares: workload, size, the costs and the
/// ratios to each baseline.
fn comparison(row: &Row) -> String {
    let (strongest, over_strongest) = match row.strongest {
        Some(strongest) => (
            per_op(row.measure, strongest, row.unit),
            ratio(row.ours, strongest),
        ),
        None => ("-".to_owned(), "-".to_owned()),
    };
    format!(
        "{:<22} {:>10} {:>16} {:>16} {:>8} {:>16} {:>8}",
        row.name,
        thousands(row.size),
        per_op(row.measure, row.ours, row.unit),
        per_op(row.measure, row.by_hand, row.unit),
        ratio(row.ours, row.by_hand),
        strongest,
        over_strongest,
    )
}

/// The scaling series: the cost per operation should stay flat as the size
/// grows by 1000x.
pub fn scaling(series: &[Row], reps: usize) {
    println!("\nscaling (median of {reps}): cost per operation as the size grows; flat is linear");
    println!("{}", columns());
    for row in series {
        println!("{}", comparison(row));
    }
    for name in unique_names(series) {
        let costs: Vec<&Row> = series.iter().filter(|row| row.name == name).collect();
        if let (Some(first), Some(last)) = (costs.first(), costs.last()) {
            let unit = first.unit;
            println!(
                "{name}: from {} to {} {unit}s, the cost per {unit} changes x{:.2} (workflows), x{:.2} (baseline)",
                thousands(first.size),
                thousands(last.size),
                last.ours / first.ours,
                last.by_hand / first.by_hand,
            );
        }
    }
}

fn unique_names(rows: &[Row]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = rows.iter().map(|row| row.name).collect();
    names.dedup();
    names
}

/// Runs one after another: the heap should not grow with their number.
pub fn in_turn(ours: &[(u64, isize)], by_hand: &[(u64, isize)]) {
    println!(
        "\nsequential runs: growth of the live heap since the first run, read as the runs go on"
    );
    println!(
        "{:>12} {:>14} {:>14}",
        "runs done", "workflows", "tokio by hand"
    );
    for (&(done, ours), &(_, by_hand)) in ours.iter().zip(by_hand) {
        println!(
            "{:>12} {:>14} {:>14}",
            thousands(done),
            signed_bytes(ours),
            signed_bytes(by_hand)
        );
    }
}

/// The parallel workload: each version's time on one worker and on two,
/// in nanoseconds per chunk, and its speed-up.
pub fn parallel(
    items: u64,
    rounds: u64,
    reps: usize,
    ours: (f64, f64),
    by_hand: (f64, f64),
    target: f64,
) {
    println!(
        "\nparallel: one run fans out {items} CPU-bound chunks ({} hash rounds each) to a `#[step(spawn)]` step;\n\
         multi-thread runtimes of 1 and 2 workers take turns (median of {reps}); speed-up = 1 worker / 2 workers",
        thousands(rounds)
    );
    println!(
        "{:<14} {:>14} {:>14} {:>9} {:>8}  met",
        "version", "1 worker", "2 workers", "speed-up", "target"
    );
    for (name, (one, two), target) in [
        ("workflows", ours, Some(target)),
        ("tokio by hand", by_hand, None),
    ] {
        let speed_up = one / two;
        println!(
            "{name:<14} {:>14} {:>14} {:>8.2}x {:>8}  {}",
            per_op(Measure::Time, one, "chunk"),
            per_op(Measure::Time, two, "chunk"),
            speed_up,
            target.map_or(String::new(), |target| format!(">= {target}x")),
            match target {
                Some(target) if speed_up >= target => "yes",
                Some(_) => "NO",
                None => "",
            },
        );
    }
}

/// `value` as a cost per `unit`, like `0.081 us/hop` or `1.2 KiB/run`.
pub fn per_op(measure: Measure, value: f64, unit: &str) -> String {
    format!("{}/{unit}", amount(measure, value))
}

/// `value` with its unit: microseconds for times, bytes or KiB for memory.
pub fn amount(measure: Measure, value: f64) -> String {
    match measure {
        Measure::Time if value >= 1e6 => format!("{:.2} ms", value / 1e6),
        Measure::Time if value >= 1e4 => format!("{:.1} us", value / 1e3),
        Measure::Time if value >= 1e3 => format!("{:.2} us", value / 1e3),
        Measure::Time => format!("{:.3} us", value / 1e3),
        Measure::Bytes if value >= 1024.0 => format!("{:.2} KiB", value / 1024.0),
        Measure::Bytes => format!("{value:.0} B"),
    }
}

/// `ours / theirs`, as `1.35x`.
pub fn ratio(ours: f64, theirs: f64) -> String {
    let ratio = ours / theirs;
    if ratio >= 100.0 {
        format!("{}x", thousands(ratio.round() as u64))
    } else {
        format!("{ratio:.2}x")
    }
}

fn signed_bytes(bytes: isize) -> String {
    let sign = if bytes < 0 { "-" } else { "+" };
    format!("{sign}{} B", thousands(bytes.unsigned_abs() as u64))
}

/// `1234567` as `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A row of the durable table: a durable workload's cost, and what it is
/// held against, each per its own unit.
pub struct Durable {
    pub name: &'static str,
    pub size: u64,
    pub unit: &'static str,
    /// Nanoseconds per `unit`, durable.
    pub durable: f64,
    /// Nanoseconds per `against_unit` of what the row is held against.
    pub against: f64,
    pub against_unit: &'static str,
    /// The two compared as `compare` reads them.
    pub ratio: f64,
    pub compare: Compare,
}

/// How a durable row reads its two figures.
pub enum Compare {
    /// Durable over the other, with the most it should be if anything:
    /// how many times slower than in memory, or how many synced commits
    /// a run takes.
    Cost { most: Option<f64> },
    /// The other over durable, with the least it should be: how many
    /// operations land in the time of one.
    Rate { least: f64 },
}

impl Compare {
    /// The ratio of a cost per operation `durable` to one `against`, as
    /// this comparison reads it.
    pub fn of(&self, durable: f64, against: f64) -> f64 {
        match self {
            Compare::Cost { .. } => durable / against,
            Compare::Rate { .. } => against / durable,
        }
    }
}

impl Durable {
    /// The target as printed, and whether it is met.
    fn target(&self) -> (String, &'static str) {
        let ratio = self.ratio;
        let met = |yes: bool| if yes { "yes" } else { "NO" };
        match self.compare {
            Compare::Cost { most: None } => (String::new(), ""),
            Compare::Cost { most: Some(most) } => (format!("<= {most}x"), met(ratio <= most)),
            Compare::Rate { least } => (format!(">= {least}x"), met(ratio >= least)),
        }
    }
}

/// The durable rows.
pub fn durable(rows: &[Durable], reps: usize) {
    println!(
        "\ndurable runs: runs recorded in a store as they go, taking turns with what they are held against\n\
         (median of {reps}; each ratio the median of those of the rounds; each SQLite measurement on a new file\n\
         under the temporary directory, opened before the clock starts).\n\
         durable_<workload>: on SqliteStore, against the same workflow in memory; `_mem`: on MemoryStore, the\n\
         journaling without the disk; ratio: durable / in memory, below 1 is faster.\n\
         against `commit`: one SQLite transaction synced alone (WAL, synchronous=FULL, no store), the disk's limit;\n\
         durable_steps: step completions of three-step runs all at once, ratio: how many land in one synced\n\
         commit's time (group commit); durable_latency: three-step runs one at a time, ratio: a run in synced commits."
    );
    println!(
        "{:<22} {:>10} {:>16} {:>16} {:>8}  {:>8}  met",
        "workload", "size", "durable", "against", "ratio", "target"
    );
    for row in rows {
        let (target, met) = row.target();
        println!(
            "{:<22} {:>10} {:>16} {:>16} {:>8}  {target:>8}  {met}",
            row.name,
            thousands(row.size),
            per_op(Measure::Time, row.durable, row.unit),
            per_op(Measure::Time, row.against, row.against_unit),
            ratio(row.ratio, 1.0),
        );
    }
}
