//! Against LlamaIndex Workflows: reads the result file of
//! `benches/peer/llama_index.py`, measures our versions at the same sizes,
//! and prints how many times LlamaIndex's cost is ours.

use std::path::Path;

use serde::Deserialize;
use tokio::runtime::Runtime;

use crate::measure;
use crate::report::{self, Measure};
use crate::suite::TIMED;
use crate::workload;

#[derive(Deserialize)]
struct PeerResults {
    implementation: String,
    version: String,
    python: String,
    reps: usize,
    workloads: std::collections::BTreeMap<String, PeerWorkload>,
}

#[derive(Deserialize)]
struct PeerWorkload {
    size: u64,
    ns_per_op: Option<f64>,
    bytes_per_op: Option<f64>,
    note: Option<String>,
}

/// Measures ours at the sizes of the peer's result file and prints the
/// ratios, in the order of our own table.
pub fn compare(runtime: &Runtime, path: &Path, reps: usize) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read the peer results {}: {error}", path.display()));
    let mut peer: PeerResults = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not a peer result file: {error}", path.display()));
    report::header(reps);
    println!(
        "peer: {} {} on Python {} (median of {} repetitions), each workload at the peer's size",
        peer.implementation, peer.version, peer.python, peer.reps
    );
    println!("ratio = LlamaIndex's cost / ours: how many times less workflows spends\n");
    println!(
        "{:<10} {:>8} {:>10} {:>18} {:>18}",
        "workload", "size", "ratio", "LlamaIndex", "workflows"
    );
    let mut notes = Vec::new();
    let names = TIMED.iter().map(|timed| timed.name).chain(["parked"]);
    for name in names {
        let Some(theirs) = peer.workloads.remove(name) else {
            eprintln!("`{name}` is not in the peer file; skipped");
            continue;
        };
        let (measure, ours, their_cost, unit) = match TIMED.iter().find(|timed| timed.name == name)
        {
            Some(timed) => {
                let ours = measure::alone(runtime, timed.ours, theirs.size, reps);
                (Measure::Time, ours, theirs.ns_per_op, timed.unit)
            }
            None => {
                let ours =
                    workload::parked_bytes(runtime, workload::PARKED_OURS, theirs.size, reps);
                (Measure::Bytes, ours, theirs.bytes_per_op, "run")
            }
        };
        let Some(their_cost) = their_cost else {
            eprintln!("the peer file gives no figure for `{name}`; skipped");
            continue;
        };
        println!(
            "{:<10} {:>8} {:>10} {:>18} {:>18}",
            name,
            report::thousands(theirs.size),
            report::ratio(their_cost, ours),
            report::per_op(measure, their_cost, unit),
            report::per_op(measure, ours, unit),
        );
        if let Some(note) = theirs.note {
            notes.push(format!("{name}: {note}"));
        }
    }
    for name in peer.workloads.keys() {
        eprintln!("`{name}` in the peer file is not a workload of ours; skipped");
    }
    for note in notes {
        println!("note: {note}");
    }
}
