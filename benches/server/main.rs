//! The HTTP server under load, on loopback: `run` requests of a two-step
//! workflow (requests per second, p50 and p99 latency), events per second
//! to 1,000 concurrent SSE readers and to one, and the round trip of a
//! human-in-the-loop answer. Each load is measured against a URL, so the
//! one generator here drives any server: ours (`typed_workflows::server`),
//! the strongest hand-written axum server of the same shape, both in this
//! process on runtimes of their own, and with `--peer URL` another server,
//! LlamaIndex's (benches/peer/server_compare.sh). The versions take turns,
//! and each figure is the median of the repetitions.
//!
//! ```text
//! cargo bench --bench server                     # ours and hand-written
//! cargo bench --bench server -- --quick          # smaller loads
//! cargo bench --bench server -- run hitl         # only some loads
//! cargo bench --bench server -- --reps 9
//! cargo bench --bench server -- --peer http://127.0.0.1:8000
//! cargo bench --bench server -- --serve          # serve both, to load by hand or profile
//! ```

mod client;
mod hand;
mod loads;
mod report;
// The example server's workflows, of the shapes the peer serves; the
// survey is not loaded here.
#[allow(dead_code)]
#[path = "../../examples/serve/workflows.rs"]
mod workflows;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Result;
use tokio::runtime::Runtime;
use typed_workflows::prelude::*;
use typed_workflows::server::Server;

use client::Target;
use report::{Goal, Row, Unit};

const USAGE: &str = "\
usage: cargo bench --bench server [-- [LOAD ...] [--reps N] [--quick] [--peer URL] [--only VERSION] [--serve]]
  LOAD          only the loads whose names contain one of these words (run, sse, hitl); all if none
  --reps N      repetitions of each measurement, the versions taking turns; the median is reported (default 5)
  --quick       smaller loads and shorter runs
  --peer URL    also load the server at URL (LlamaIndex's: benches/peer/server_compare.sh), at the
                sizes a Python server finishes in seconds, all versions at those sizes
  --only NAME   load only one version (ours, hand, peer), e.g. under a profiler
  --nodelay     also load ours served from `into_router` with TCP_NODELAY set on each connection
                (\"ours+nodelay\"), which `Bound::run` does not set
  --serve       serve ours and the hand-written server, print their URLs, and wait";

/// How much load each measurement puts on a server.
struct Sizes {
    /// How long the `run` requests go on.
    run_for: Duration,
    /// The keep-alive connections that send `run` requests at once.
    connections: &'static [usize],
    /// The SSE readers of one run, and the ticks it writes.
    readers: usize,
    ticks: u64,
    /// The ticks of a run read by one reader.
    one_reader_ticks: u64,
    /// The human-in-the-loop round trips of one measurement.
    round_trips: usize,
}

impl Sizes {
    fn new(quick: bool, peer: bool) -> Self {
        match (quick, peer) {
            (false, false) => Self {
                run_for: Duration::from_millis(500),
                connections: &[1, 32],
                readers: 1000,
                ticks: 1000,
                one_reader_ticks: 100_000,
                // Ours takes 43 ms a round trip without TCP_NODELAY.
                round_trips: 50,
            },
            (true, false) => Self {
                run_for: Duration::from_millis(250),
                connections: &[1, 32],
                readers: 1000,
                ticks: 100,
                one_reader_ticks: 10_000,
                round_trips: 100,
            },
            // A Python server: 475 req/s, 19,450 events/s, 5 ms a round trip.
            (quick, true) => Self {
                run_for: Duration::from_millis(if quick { 500 } else { 1000 }),
                connections: &[1, 32],
                readers: 1000,
                ticks: if quick { 10 } else { 20 },
                one_reader_ticks: if quick { 2_000 } else { 10_000 },
                round_trips: if quick { 20 } else { 50 },
            },
        }
    }
}

struct Options {
    reps: usize,
    quick: bool,
    peer: Option<String>,
    only: Option<String>,
    serve: bool,
    nodelay: bool,
    filters: Vec<String>,
}

impl Options {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Self {
            reps: 5,
            quick: false,
            peer: None,
            only: None,
            serve: false,
            nodelay: false,
            filters: Vec::new(),
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                // cargo's mark of a benchmark run.
                "--bench" => {}
                "--reps" => {
                    options.reps = args
                        .next()
                        .and_then(|value| value.parse().ok())
                        .filter(|&reps| reps > 0)
                        .ok_or("--reps needs a positive number")?;
                }
                "--quick" => options.quick = true,
                "--peer" => options.peer = Some(args.next().ok_or("--peer needs a URL")?),
                "--only" => {
                    let only = args.next().ok_or("--only needs ours, hand or peer")?;
                    if !["ours", "hand", "peer"].contains(&only.as_str()) {
                        return Err(format!("--only takes ours, hand or peer, not `{only}`"));
                    }
                    options.only = Some(only);
                }
                "--serve" => options.serve = true,
                "--nodelay" => options.nodelay = true,
                "--help" | "-h" => return Err("the HTTP server under load".to_owned()),
                other if other.starts_with('-') => {
                    return Err(format!("unknown option `{other}`"));
                }
                filter => options.filters.push(filter.to_owned()),
            }
        }
        Ok(options)
    }

    fn wants(&self, load: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|filter| load.contains(&**filter))
    }
}

/// A server to load, and what the table calls it.
#[derive(Clone)]
struct Version {
    name: &'static str,
    target: Target,
}

fn server_runtime(name: &str) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Ours, serving the example's workflows on a port of its own.
async fn start_ours() -> Result<SocketAddr> {
    let human = Duration::from_secs(3600);
    let bound = Server::new()
        .workflow("two_step", workflows::TwoStep)
        .workflow("stream_n", workflows::StreamN)
        .runner("hitl", workflows::Hitl.runner().timeout(human))
        .bind("127.0.0.1:0")
        .await?;
    let addr = bound.local_addr()?;
    tokio::spawn(bound.run());
    Ok(addr)
}

/// Ours as [`start_ours`] serves it, but from `Server::into_router`,
/// served with `TCP_NODELAY` on every connection: what `Bound::run` would
/// be with it (`--nodelay`).
async fn start_ours_nodelay() -> Result<SocketAddr> {
    let human = Duration::from_secs(3600);
    let router = Server::new()
        .workflow("two_step", workflows::TwoStep)
        .workflow("stream_n", workflows::StreamN)
        .runner("hitl", workflows::Hitl.runner().timeout(human))
        .into_router()
        .await?;
    serve_nodelay(router).await
}

/// The hand-written server, on a port of its own.
async fn start_hand() -> Result<SocketAddr> {
    serve_nodelay(hand::router()).await
}

/// Serves `router` on a port of its own, each connection without Nagle's
/// delay, so that a small write (an SSE frame) goes out at once rather
/// than after the reader's delayed acknowledgement of the last.
async fn serve_nodelay(router: axum::Router) -> Result<SocketAddr> {
    use axum::serve::ListenerExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

/// How long one measurement may take before the harness gives up on it.
const LIMIT: Duration = Duration::from_secs(120);

/// `reps` rounds in which `load` runs once against each version, the
/// first of each round rotating, after one warm-up round: each version's
/// results, in its order.
fn rounds<T, F, Fut>(generator: &Runtime, versions: &[Version], reps: usize, load: F) -> Vec<Vec<T>>
where
    T: Send + 'static,
    F: Fn(Target) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let once = |version: &Version| -> T {
        let measured = generator.block_on(async {
            let task = tokio::spawn(tokio::time::timeout(LIMIT, load(version.target.clone())));
            task.await
        });
        let result = match measured {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(anyhow::anyhow!("took longer than {LIMIT:?}")),
            Err(panic) => Err(anyhow::anyhow!("panicked: {panic}")),
        };
        // Let the server finish what this load left (connections to
        // close, a Python server's tasks) before the next version's turn.
        let settled = generator.block_on(loads::settle(&version.target));
        if let Err(error) = settled {
            panic!("{} did not settle: {error:#}", version.name);
        }
        result.unwrap_or_else(|error| {
            panic!(
                "{} against {}: {error:#}",
                version.name,
                version.target.url()
            )
        })
    };
    for version in versions {
        once(version);
    }
    let mut results: Vec<Vec<T>> = versions.iter().map(|_| Vec::with_capacity(reps)).collect();
    for rep in 0..reps {
        for turn in 0..versions.len() {
            let index = (rep + turn) % versions.len();
            results[index].push(once(&versions[index]));
        }
    }
    results
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let ours_runtime = server_runtime("ours");
    let hand_runtime = server_runtime("hand");
    let ours = ours_runtime
        .block_on(start_ours())
        .expect("our server starts");
    let hand = hand_runtime
        .block_on(start_hand())
        .expect("the hand-written server starts");
    // On the runtime of ours, which it takes turns with.
    let ours_nodelay = ours_runtime
        .block_on(start_ours_nodelay())
        .expect("our server starts");
    if options.serve {
        println!(
            "ours: http://{ours}\nours+nodelay: http://{ours_nodelay}\nhand-written: http://{hand}"
        );
        loop {
            std::thread::park();
        }
    }
    let mut versions = Vec::new();
    let only = |name: &str| options.only.as_deref().is_none_or(|only| only == name);
    if only("ours") {
        versions.push(Version {
            name: "ours",
            target: Target::at(ours),
        });
    }
    if options.nodelay && only("ours") {
        versions.push(Version {
            name: "ours+nodelay",
            target: Target::at(ours_nodelay),
        });
    }
    if only("hand") {
        versions.push(Version {
            name: "hand-written",
            target: Target::at(hand),
        });
    }
    if let Some(url) = options.peer.as_ref().filter(|_| only("peer")) {
        let target = Target::parse(url).unwrap_or_else(|error| {
            eprintln!("--peer: {error:#}");
            std::process::exit(2);
        });
        versions.push(Version {
            name: "LlamaIndex",
            target,
        });
    }
    let generator = server_runtime("load");
    let sizes = Sizes::new(options.quick, options.peer.is_some());
    let reps = options.reps;
    report::header(&versions_names(&versions), reps);

    let mut rows = Vec::new();
    if options.wants("run") {
        for &connections in sizes.connections {
            let length = sizes.run_for;
            let results = rounds(&generator, &versions, reps, move |target| async move {
                loads::run(&target, connections, length).await
            });
            let label = format!(
                "run two_step, {connections} conn{}",
                if connections == 1 { "" } else { "s" }
            );
            let rate = results
                .iter()
                .map(|reps| median(reps.iter().map(loads::RunStats::per_second).collect()));
            let goal = match connections {
                32 => Goal::Rate {
                    at_least: 24_000.0,
                    over_peer: 50.0,
                },
                _ => Goal::None,
            };
            rows.push(Row::new(
                format!("{label}: req/s"),
                Unit::PerSecond,
                rate.collect(),
                goal,
            ));
            for (quantile, name) in [(0.5, "p50"), (0.99, "p99")] {
                let latency = results.iter().map(|reps| {
                    median(
                        reps.iter()
                            .map(|stats| millis(stats.latency(quantile)))
                            .collect(),
                    )
                });
                rows.push(Row::new(
                    format!("{label}: {name}"),
                    Unit::Millis,
                    latency.collect(),
                    Goal::None,
                ));
            }
            report::progress(&rows);
        }
    }
    if options.wants("sse") {
        for (readers, ticks) in [(sizes.readers, sizes.ticks), (1, sizes.one_reader_ticks)] {
            let results = rounds(&generator, &versions, reps, move |target| async move {
                loads::sse(&target, readers, ticks).await
            });
            let rate = results
                .iter()
                .map(|reps| median(reps.iter().map(loads::SseStats::per_second).collect()));
            let goal = match readers {
                1 => Goal::Rate {
                    at_least: 20.0 * 19_450.0,
                    over_peer: 20.0,
                },
                _ => Goal::OverPeer(20.0),
            };
            let label = format!(
                "sse: {} reader{} x {} events: events/s",
                report::thousands(readers as u64),
                if readers == 1 { "" } else { "s" },
                report::thousands(ticks + 1),
            );
            rows.push(Row::new(label, Unit::PerSecond, rate.collect(), goal));
            report::progress(&rows);
        }
    }
    if options.wants("hitl") {
        let trips = sizes.round_trips;
        let results = rounds(&generator, &versions, reps, move |target| async move {
            loads::hitl(&target, trips).await
        });
        for (quantile, name, goal) in [
            (0.5, "p50", Goal::Latency { at_most: 0.25 }),
            (0.99, "p99", Goal::None),
        ] {
            let latency = results.iter().map(|reps| {
                median(
                    reps.iter()
                        .map(|trips| millis(loads::quantile_of(trips, quantile)))
                        .collect(),
                )
            });
            rows.push(Row::new(
                format!("hitl round trip, {trips} runs: {name}"),
                Unit::Millis,
                latency.collect(),
                goal,
            ));
        }
        report::progress(&rows);
    }
    report::table(&versions_names(&versions), &rows);
}

fn versions_names(versions: &[Version]) -> Vec<&'static str> {
    versions.iter().map(|version| version.name).collect()
}
