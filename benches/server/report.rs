//! Printing: ratios beside the figures, each ratio a cost (time per
//! request or event, or latency) of one version over another's.

/// What a row's figures are.
#[derive(Clone, Copy)]
pub enum Unit {
    /// Requests or events per second: more is better.
    PerSecond,
    /// A latency in milliseconds: less is better.
    Millis,
}

/// The target for a row.
#[derive(Clone, Copy)]
pub enum Goal {
    None,
    /// At least this many per second, and this many times the peer's rate.
    Rate {
        at_least: f64,
        over_peer: f64,
    },
    /// This many times the peer's rate.
    OverPeer(f64),
    /// At most this many milliseconds.
    Latency {
        at_most: f64,
    },
}

pub struct Row {
    label: String,
    unit: Unit,
    /// One figure per version, in the versions' order.
    values: Vec<f64>,
    goal: Goal,
}

impl Row {
    pub fn new(label: String, unit: Unit, values: Vec<f64>, goal: Goal) -> Self {
        Self {
            label,
            unit,
            values,
            goal,
        }
    }

    /// The cost of `this` over the cost of `that`: below 1, `this` spends less.
    fn cost_ratio(&self, this: f64, that: f64) -> f64 {
        match self.unit {
            Unit::PerSecond => that / this,
            Unit::Millis => this / that,
        }
    }

    fn figure(&self, value: f64) -> String {
        match self.unit {
            Unit::PerSecond => format!("{}/s", thousands(value.round() as u64)),
            Unit::Millis => format!("{value:.3} ms"),
        }
    }

    /// The target as printed, and whether ours meets it.
    fn goal(&self, ours: Option<f64>, peer: Option<f64>) -> (String, Option<bool>) {
        let over_peer = |times: f64| peer.zip(ours).map(|(peer, ours)| ours >= times * peer);
        match self.goal {
            Goal::None => (String::new(), None),
            Goal::Rate {
                at_least,
                over_peer: times,
            } => {
                let met = ours.map(|ours| ours >= at_least);
                let text = format!(">= {}/s, {times}x peer", thousands(at_least as u64));
                (text, met.map(|met| met && over_peer(times).unwrap_or(true)))
            }
            Goal::OverPeer(times) => (format!(">= {times}x peer"), over_peer(times)),
            Goal::Latency { at_most } => {
                (format!("<= {at_most} ms"), ours.map(|ours| ours <= at_most))
            }
        }
    }
}

pub fn header(versions: &[&str], reps: usize) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "workflow-server under load on loopback: {}, {cores} cores",
        cpu_model()
    );
    println!(
        "versions: {}; each in-process server on a tokio multi-thread runtime of 2 workers, the load\n\
         generator (hyper's client, keep-alive connections) on another; the versions take turns,\n\
         each figure the median of {reps} repetitions after one warm-up.",
        versions.join(", ")
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

/// The latest row, to standard error, while the others are measured.
pub fn progress(rows: &[Row]) {
    if let Some(row) = rows.last() {
        let figures: Vec<String> = row.values.iter().map(|&value| row.figure(value)).collect();
        eprintln!("measured {}: {}", row.label, figures.join(", "));
    }
}

pub fn table(versions: &[&str], rows: &[Row]) {
    let position = |name: &str| versions.iter().position(|&version| version == name);
    let (ours, hand, peer) = (
        position("ours"),
        position("hand-written"),
        position("LlamaIndex"),
    );
    println!(
        "\nratios are costs (time per request or event, or latency): ours/hand below 1 is ours faster;\n\
         LlamaIndex/ours is how many times more LlamaIndex spends. Targets are printed, not enforced.\n"
    );
    let mut heading = format!("{:<44}", "load");
    for version in versions {
        heading += &format!(" {version:>14}");
    }
    if ours.is_some() && hand.is_some() {
        heading += &format!(" {:>10}", "ours/hand");
    }
    if ours.is_some() && peer.is_some() {
        heading += &format!(" {:>15}", "LlamaIndex/ours");
    }
    heading += &format!("  {:<26} met", "target");
    println!("{heading}");
    for row in rows {
        let mut line = format!("{:<44}", row.label);
        for &value in &row.values {
            line += &format!(" {:>14}", row.figure(value));
        }
        let value = |index: Option<usize>| index.map(|index| row.values[index]);
        if let (Some(ours), Some(hand)) = (value(ours), value(hand)) {
            line += &format!(" {:>10}", format!("{:.2}x", row.cost_ratio(ours, hand)));
        }
        if let (Some(ours), Some(peer)) = (value(ours), value(peer)) {
            line += &format!(" {:>15}", format!("{:.1}x", row.cost_ratio(peer, ours)));
        }
        let (target, met) = row.goal(value(ours), value(peer));
        let met = match met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        line += &format!("  {target:<26} {met}");
        println!("{}", line.trim_end());
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
