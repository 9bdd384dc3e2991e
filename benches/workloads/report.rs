//! Printing the results: ratios first, absolute figures as context.

use crate::suite::Timed;

/// What a row measures.
#[derive(Clone, Copy)]
pub enum Measure {
    /// Nanoseconds per operation.
    Time,
    /// Bytes per operation.
    Bytes,
}

/// One workload at one size, both versions.
#[derive(Clone)]
pub struct Row {
    pub name: &'static str,
    pub size: u64,
    pub unit: &'static str,
    pub measure: Measure,
    pub ours: f64,
    pub by_hand: f64,
    pub target: f64,
}

impl Row {
    /// A row of a timed workload, from its costs in nanoseconds per operation.
    pub fn timed(workload: &Timed, size: u64, ours: f64, by_hand: f64) -> Self {
        Self {
            name: workload.name,
            size,
            unit: workload.unit,
            measure: Measure::Time,
            ours,
            by_hand,
            target: workload.target_ns,
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
        "`typed-workflows` and the hand-written tokio version take turns; ratio = workflows / tokio by hand,\n\
         below 1 is faster or smaller than the hand-written program\n"
    );
    println!(
        "{:<10} {:>10} {:>8} {:>18} {:>18} {:>12}  met",
        "workload", "size", "ratio", "workflows", "tokio by hand", "target"
    );
    for row in rows {
        println!(
            "{} {:>12}  {}",
            comparison(row),
            format!("<= {}", amount(row.measure, row.target)),
            if row.ours <= row.target { "yes" } else { "NO" },
        );
    }
}

/// The columns every table shares: workload, size, ratio, both costs.
fn comparison(row: &Row) -> String {
    format!(
        "{:<10} {:>10} {:>8} {:>18} {:>18}",
        row.name,
        thousands(row.size),
        ratio(row.ours, row.by_hand),
        per_op(row.measure, row.ours, row.unit),
        per_op(row.measure, row.by_hand, row.unit),
    )
}

/// The scaling series: the cost per operation should stay flat as the size
/// grows by 1000x.
pub fn scaling(series: &[Row], reps: usize) {
    println!("\nscaling (median of {reps}): cost per operation as the size grows; flat is linear");
    println!(
        "{:<10} {:>10} {:>8} {:>18} {:>18}",
        "workload", "size", "ratio", "workflows", "tokio by hand"
    );
    for row in series {
        println!("{}", comparison(row));
    }
    for name in unique_names(series) {
        let costs: Vec<&Row> = series.iter().filter(|row| row.name == name).collect();
        if let (Some(first), Some(last)) = (costs.first(), costs.last()) {
            let unit = first.unit;
            println!(
                "{name}: from {} to {} {unit}s, the cost per {unit} changes x{:.2} (workflows), x{:.2} (tokio by hand)",
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
