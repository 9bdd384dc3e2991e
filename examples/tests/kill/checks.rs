//! What the kill tests check once every errand (`errand.rs`) has ended,
//! however often its workers were killed: the results in the store, the
//! order of the side effects in the log, and the streams read across the
//! kills; and the seeded generator that chooses where the kills fall.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

use typed_workflows::RunId;
use typed_workflows::store::{RunFilter, RunMeta, RunStatus, Store};

/// A small seeded generator (SplitMix64): the kill points of a seed.
pub struct Seeded(pub u64);

impl Seeded {
    /// A number below `bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    }
}

/// The number the environment variable `name` holds, if it is set.
pub fn setting(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} is a number"))
    })
}

/// A seed: `$name` if set, else a random one.
pub fn seed(name: &str) -> u64 {
    setting(name).unwrap_or_else(|| RunId::next().as_u128() as u64)
}

/// The result the errand numbered `number` ends with: its parts' values
/// (`10 * number + part`, for parts 0 to 2) and the answer, 7.
pub fn result_of(number: u64) -> u64 {
    30 * number + 10
}

/// The results of `runs`, sorted, each checked to have ended with a stop
/// event holding a number; a failure says how to `replay` the test.
pub fn results(runs: &[RunMeta], replay: &str) -> Vec<u64> {
    let mut results: Vec<u64> = runs
        .iter()
        .map(|run| {
            let RunStatus::Finished { outcome } = &run.status else {
                panic!("run {} did not end: {:?}; {replay}", run.id, run.status);
            };
            let outcome: serde_json::Value = serde_json::from_slice(outcome).unwrap();
            outcome["stopped"]["value"]["result"]
                .as_u64()
                .unwrap_or_else(|| panic!("run {} stopped with {outcome}; {replay}", run.id))
        })
        .collect();
    results.sort_unstable();
    results
}

/// What the log says one errand's steps did, each line's place in the log.
#[derive(Default, Debug)]
struct Steps {
    places: HashMap<String, Vec<usize>>,
    /// Its lines of the log, each with its place.
    lines: Vec<String>,
}

impl Steps {
    fn first(&self, what: &str) -> usize {
        self.places.get(what).map_or(usize::MAX, |places| places[0])
    }

    fn last(&self, what: &str) -> usize {
        *self
            .places
            .get(what)
            .and_then(|places| places.last())
            .unwrap_or_else(|| panic!("no `{what}` in {self:?}"))
    }
}

/// The side effects of each errand, by its number.
fn read_log(path: &Path) -> HashMap<u64, Steps> {
    let mut errands: HashMap<u64, Steps> = HashMap::new();
    let text = std::fs::read_to_string(path).unwrap();
    for (place, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split(' ').collect();
        let (run, what) = match words.as_slice() {
            [_tag, "E", run, step] => (run, (*step).to_owned()),
            [_tag, kind @ ("O" | "A"), run] => (run, (*kind).to_owned()),
            _ => panic!("a line of the log reads `{line}`"),
        };
        let errand = errands.entry(run.parse().unwrap()).or_default();
        errand.places.entry(what).or_default().push(place);
        errand.lines.push(format!("{place}: {line}"));
    }
    errands
}

/// Checks the log at `path` of `count` errands: no step whose end was
/// recorded ran again (each step's last side effect comes before the first
/// of the step it feeds, which starts only once that end is in the store),
/// and an effect recorded with `ctx.once` never ran again once its step
/// went on past it.
pub fn check_log(path: &Path, count: u64, replay: &str) {
    let errands = read_log(path);
    assert_eq!(errands.len() as u64, count, "errands in the log; {replay}");
    for (run, errand) in errands {
        let order = [
            ("plan", "split"),
            ("split", "work0"),
            ("split", "work1"),
            ("split", "work2"),
            ("work0", "gather"),
            ("work1", "gather"),
            ("work2", "gather"),
            ("gather", "check"),
            ("check", "ask"),
        ];
        for (before, after) in order {
            assert!(
                errand.last(before) < errand.first(after),
                "run {run}: `{before}` ran after `{after}` began:\n{}\n{replay}",
                errand.lines.join("\n")
            );
        }
        assert!(
            errand.last("O") < errand.first("A"),
            "run {run}: the recorded effect ran again:\n{}\n{replay}",
            errand.lines.join("\n")
        );
    }
}

/// The stream of every run, read from where the last read left off.
#[derive(Default)]
pub struct Reader {
    read: HashMap<RunId, Vec<(u64, String)>>,
}

impl Reader {
    /// Reads on each run of `store` from where it left off.
    pub async fn read_on(&mut self, store: &dyn Store) {
        for run in store.list(&RunFilter::new()).await.unwrap() {
            let read = self.read.entry(run.id).or_default();
            let after = read.last().map_or(0, |(sequence, _)| *sequence);
            for record in store.read_stream(run.id, after, usize::MAX).await.unwrap() {
                let event: serde_json::Value = serde_json::from_slice(&record.bytes).unwrap();
                read.push((record.seq, event.to_string()));
            }
        }
    }

    /// Checks the stream of each run of `runs`: read in pieces, it has no
    /// gap and no repeat, and is the whole stream the store holds; it holds
    /// each step's events (the question too, if the run was `asked`: a run
    /// whose answer was in before its question is not asked), and ends with
    /// the run's one stop event.
    pub async fn check(
        &self,
        store: &dyn Store,
        runs: &[RunMeta],
        asked: impl Fn(RunId) -> bool,
        replay: &str,
    ) {
        for run in runs {
            let read = &self.read[&run.id];
            let sequences: Vec<u64> = read.iter().map(|(sequence, _)| *sequence).collect();
            assert_eq!(
                sequences,
                (1..=read.len() as u64).collect::<Vec<_>>(),
                "the stream of {}; {replay}",
                run.id
            );
            let whole: Vec<String> = store
                .read_stream(run.id, 0, usize::MAX)
                .await
                .unwrap()
                .iter()
                .map(|record| {
                    serde_json::from_slice::<serde_json::Value>(&record.bytes)
                        .unwrap()
                        .to_string()
                })
                .collect();
            let pieced: Vec<String> = read.iter().map(|(_, event)| event.clone()).collect();
            assert_eq!(
                pieced, whole,
                "the stream read in pieces differs from the whole; {replay}"
            );
            assert!(whole.last().unwrap().contains("\"StopEvent\""), "{replay}");
            let stops = whole.iter().filter(|event| event.contains("\"StopEvent\""));
            assert_eq!(stops.count(), 1, "stop events of {}; {replay}", run.id);
            let question = asked(run.id).then_some("InputRequiredEvent");
            let steps = ["\"plan\"", "\"work0\"", "\"work1\"", "\"work2\""];
            for step in steps.into_iter().chain(question) {
                assert!(
                    whole.iter().any(|event| event.contains(step)),
                    "no {step} in the stream of {}; {replay}",
                    run.id
                );
            }
        }
    }
}
