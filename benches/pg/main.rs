//! Durable runs on PostgreSQL (`PostgresStore`), against the server's own
//! limit and a hand-written program of the same writes, in one run:
//!
//! - *workers*: the step completions per second of 1, 2 and 4 worker
//!   processes (this binary again, with `--worker`, each in
//!   [`Runner::work`](typed_workflows::Runner::work)) finishing runs of a
//!   three-step workflow submitted to a fresh schema before they start, against
//!   the TPS of `pgbench -N -c16` (its simple update: three updates and an
//!   insert, each commit synced) on the same server;
//! - *latency*: a durable three-step run at a time, p50 and p99, against
//!   a hand-written tokio-postgres program making the same synced
//!   transactions (a create, then one per commit of ours), each one
//!   statement, one round trip;
//! - *two-step*: durable runs per second of a two-step workflow at a
//!   concurrency, for `benches/peer/pg_compare.sh` to hold against
//!   LlamaIndex on DBOS.
//!
//! The versions take turns, and each figure is the median of the
//! repetitions. The server is `DATABASE_URL`; every schema made here is
//! dropped after.
//!
//! ```text
//! cargo bench --bench pg_workers                          # workers and latency
//! cargo bench --bench pg_workers -- workers --runs 2000 --reps 3 --pgbench-seconds 10
//! cargo bench --bench pg_workers -- latency --latency-runs 100
//! cargo bench --bench pg_workers -- two-step --runs 1000 --concurrency 32
//! ```

mod flows;
mod hand;

use std::io::{BufRead, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use typed_workflows::prelude::*;
use typed_workflows::store::{PostgresOptions, PostgresStore};

use flows::{Ask, Counting, Counts, Greet, STEPS, ThreeSteps, TwoSteps};

const USAGE: &str = "\
usage: cargo bench --bench pg_workers [-- [workers] [latency] [two-step] [OPTIONS]]
  workers              step completions/s of 1, 2, 4 worker processes against pgbench -N -c16
  latency              a durable three-step run at a time, against hand-written tokio-postgres
  two-step             durable two-step runs/s at --concurrency (for benches/peer/pg_compare.sh)
  (workers and latency if none is named)
  --runs N             runs per measurement of workers and two-step (default 2000)
  --workers 1,2,4      the worker process counts (default 1,2,4)
  --reps N             repetitions, the versions taking turns; medians reported (default 3)
  --pgbench-seconds S  how long each pgbench measurement lasts (default 10)
  --latency-runs N     runs of each version per repetition of latency (default 100)
  --concurrency N      two-step runs in flight at once (default 32)
  DATABASE_URL         the server (postgres://workflows:workflows@127.0.0.1:5432/workflows by default)
  PGBENCH              the pgbench program (/usr/lib/postgresql/15/bin/pgbench, else pgbench on PATH)";

struct Options {
    loads: Vec<String>,
    runs: u64,
    workers: Vec<usize>,
    reps: usize,
    pgbench_seconds: u64,
    latency_runs: usize,
    concurrency: usize,
    url: String,
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options> {
    let mut options = Options {
        loads: Vec::new(),
        runs: 2_000,
        workers: vec![1, 2, 4],
        reps: 3,
        pgbench_seconds: 10,
        latency_runs: 100,
        concurrency: 32,
        url: std::env::var("DATABASE_URL").unwrap_or_else(|_| {
            "postgres://workflows:workflows@127.0.0.1:5432/workflows".to_owned()
        }),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes it to every benchmark.
            "--bench" => {}
            "--runs" => options.runs = value("--runs")?.parse()?,
            "--reps" => options.reps = value("--reps")?.parse::<usize>()?.max(1),
            "--pgbench-seconds" => options.pgbench_seconds = value("--pgbench-seconds")?.parse()?,
            "--latency-runs" => options.latency_runs = value("--latency-runs")?.parse()?,
            "--concurrency" => options.concurrency = value("--concurrency")?.parse()?,
            "--workers" => {
                options.workers = value("--workers")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "workers" | "latency" | "two-step" => options.loads.push(arg),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if options.loads.is_empty() {
        options.loads = vec!["workers".into(), "latency".into()];
    }
    Ok(options)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let runtime = tokio::runtime::Runtime::new()?;
    if args.peek().map(String::as_str) == Some("--worker") {
        args.next();
        let (url, schema, name) = (
            args.next().context("--worker URL SCHEMA NAME")?,
            args.next().context("--worker URL SCHEMA NAME")?,
            args.next().context("--worker URL SCHEMA NAME")?,
        );
        return runtime.block_on(worker(&url, &schema, &name));
    }
    let options = options(args)?;
    runtime.block_on(async {
        if options.loads.iter().any(|load| load == "workers") {
            workers(&options).await?;
        }
        if options.loads.iter().any(|load| load == "latency") {
            latency(&options).await?;
        }
        if options.loads.iter().any(|load| load == "two-step") {
            two_step(&options).await?;
        }
        Ok(())
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A plain connection to the server, its connection driven by a task.
async fn connect(url: &str) -> Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

async fn drop_schema(url: &str, schema: &str) -> Result<()> {
    connect(url)
        .await?
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await?;
    Ok(())
}

/// A new schema's name, of this process and `what`.
fn schema_name(what: &str) -> String {
    format!("bench_{what}_{}", std::process::id())
}

// ---- pgbench ----

fn pgbench_program() -> String {
    std::env::var("PGBENCH").unwrap_or_else(|_| {
        let packaged = "/usr/lib/postgresql/15/bin/pgbench";
        if std::path::Path::new(packaged).exists() {
            packaged.to_owned()
        } else {
            "pgbench".to_owned()
        }
    })
}

/// pgbench's tables, at scale 1, in a schema of their own.
struct Pgbench {
    url: String,
    schema: String,
}

impl Pgbench {
    async fn init(url: &str) -> Result<Self> {
        let schema = schema_name("pgbench");
        connect(url)
            .await?
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .await?;
        let bench = Self {
            url: url.to_owned(),
            schema,
        };
        let out = bench.command().args(["-i", "-s", "1", "-q"]).output()?;
        if !out.status.success() {
            bail!("pgbench -i: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(bench)
    }

    fn command(&self) -> Command {
        let mut command = Command::new(pgbench_program());
        command.env("PGOPTIONS", format!("-c search_path={}", self.schema));
        command.arg(&self.url);
        command
    }

    /// `pgbench -N -c16 -j2 -T seconds`'s TPS.
    fn tps(&self, seconds: u64) -> Result<f64> {
        let out = self
            .command()
            .args(["-N", "-c16", "-j2", "-n", "-T", &seconds.to_string()])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!("pgbench: {text}{}", String::from_utf8_lossy(&out.stderr));
        }
        text.lines()
            .find_map(|line| {
                let rest = line.strip_prefix("tps = ")?;
                rest.split_whitespace().next()?.parse().ok()
            })
            .with_context(|| format!("no tps in pgbench's output: {text}"))
    }

    async fn drop(self) -> Result<()> {
        drop_schema(&self.url, &self.schema).await
    }
}

// ---- workers ----

/// A worker process: `--worker URL SCHEMA NAME`. Says `ready` once
/// connected, works from `go` on stdin until stdin closes, then says how
/// many runs it took up and what it asked of the store.
async fn worker(url: &str, schema: &str, name: &str) -> Result<()> {
    // What the runtime warns of (a store that failed, a write tried
    // again) goes to this worker's stderr, which the bench passes on.
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_writer(std::io::stderr)
        .init();
    let store = PostgresStore::connect_with(url, PostgresOptions::new().schema(schema)).await?;
    let counts = Arc::new(Counts::default());
    let store = Counting {
        inner: store,
        counts: counts.clone(),
    };
    let runner = ThreeSteps.runner().durable(store).worker(name);
    let (go, mut went) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
            let _ = go.send(());
        }
        // Stdin closed: stop.
        drop(go);
    });
    println!("ready");
    std::io::stdout().flush()?;
    went.recv().await.context("no `go`")?;
    let shutdown = async move { while went.recv().await.is_some() {} };
    let worked = runner.work(shutdown, Duration::from_secs(5)).await?;
    for (run, error) in &worked.left {
        println!("left {run}: {error}");
    }
    let taken = worked.taken_up.max(1) as u64;
    println!(
        "taken {} left {} per run: {}",
        worked.taken_up,
        worked.left.len(),
        counts.per_run(taken)
    );
    Ok(())
}

/// `count` runs of [`ThreeSteps`], submitted for any worker to take up
/// ([`Runner::submit`](typed_workflows::Runner::submit)), 16 at a time.
async fn put_runs(store: &Arc<PostgresStore>, count: u64) -> Result<()> {
    let runner = Arc::new(ThreeSteps.runner().durable(store.clone()).worker("driver"));
    let submits = futures_util::StreamExt::map(futures_util::stream::iter(0..count), |number| {
        let runner = runner.clone();
        async move { runner.submit(Ask { number }).await }
    });
    let results: Vec<_> =
        futures_util::StreamExt::collect(futures_util::StreamExt::buffer_unordered(submits, 16))
            .await;
    for result in results {
        result?;
    }
    Ok(())
}

/// A started worker process.
struct Worker {
    child: Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

fn start_worker(url: &str, schema: &str, name: &str) -> Result<Worker> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--worker", url, schema, name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().context("the worker's stdout")?;
    Ok(Worker {
        child,
        lines: std::io::BufReader::new(stdout).lines(),
    })
}

/// One measurement of `processes` workers finishing `runs` runs: step
/// completions per second, and what the workers said.
async fn measure_workers(url: &str, processes: usize, runs: u64) -> Result<(f64, Vec<String>)> {
    let schema = schema_name(&format!("workers{processes}"));
    drop_schema(url, &schema).await?;
    let store =
        Arc::new(PostgresStore::connect_with(url, PostgresOptions::new().schema(&schema)).await?);
    put_runs(&store, runs).await?;
    let mut workers = (0..processes)
        .map(|n| start_worker(url, &schema, &format!("worker-{n}")))
        .collect::<Result<Vec<_>>>()?;
    for worker in &mut workers {
        let line = worker.lines.next().context("the worker ended")??;
        if line != "ready" {
            bail!("the worker said {line:?}");
        }
    }
    let counter = connect(url).await?;
    let finished = format!("SELECT count(*) FROM \"{schema}\".runs WHERE status = 2");
    let began = Instant::now();
    for worker in &mut workers {
        writeln!(worker.child.stdin.as_mut().context("stdin")?, "go")?;
    }
    loop {
        let done: i64 = counter.query_one(&finished, &[]).await?.get(0);
        if done as u64 >= runs {
            break;
        }
        if began.elapsed() > Duration::from_secs(120) {
            let stuck = counter
                .query(
                    &format!(
                        "SELECT status, coalesce(lease_owner, '-'), journal_next, count(*)
                         FROM \"{schema}\".runs WHERE status <> 2 GROUP BY 1, 2, 3"
                    ),
                    &[],
                )
                .await?;
            for row in stuck {
                let (status, owner, next, count): (i16, String, i64, i64) =
                    (row.get(0), row.get(1), row.get(2), row.get(3));
                eprintln!(
                    "  unfinished: {count} runs in status {status}, leased to {owner}, journal_next {next}"
                );
            }
            // Whether the store's connections wait on the server (a lock, a
            // transaction left open) or the workers on themselves.
            let sessions = counter
                .query(
                    "SELECT coalesce(state, '-'), coalesce(wait_event_type || ':' || wait_event, '-'), count(*)
                     FROM pg_stat_activity WHERE application_name = 'workflow-store' GROUP BY 1, 2",
                    &[],
                )
                .await?;
            for row in sessions {
                let (state, wait, count): (String, String, i64) =
                    (row.get(0), row.get(1), row.get(2));
                eprintln!("  sessions of the store: {count} {state}, waiting on {wait}");
            }
            bail!("{done} of {runs} runs finished in 2 minutes (schema {schema} kept)");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = began.elapsed();
    let mut said = Vec::new();
    for mut worker in workers {
        drop(worker.child.stdin.take());
        for line in worker.lines.by_ref() {
            said.push(line?);
        }
        worker.child.wait()?;
    }
    drop(store);
    drop_schema(url, &schema).await?;
    Ok(((runs * STEPS) as f64 / took.as_secs_f64(), said))
}

async fn workers(options: &Options) -> Result<()> {
    println!(
        "workers: {} runs of {STEPS} steps per measurement, {} reps, pgbench -N -c16 -T{} on the same server",
        options.runs, options.reps, options.pgbench_seconds
    );
    let pgbench = Pgbench::init(&options.url).await?;
    let mut tps = Vec::new();
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); options.workers.len()];
    for rep in 0..options.reps {
        let measured = pgbench.tps(options.pgbench_seconds)?;
        println!("  rep {rep}: pgbench {measured:.0} TPS");
        tps.push(measured);
        for (at, &processes) in options.workers.iter().enumerate() {
            let (rate, said) = measure_workers(&options.url, processes, options.runs).await?;
            println!(
                "  rep {rep}: {processes} worker(s) {rate:.0} steps/s ({:.2}x that pgbench)",
                rate / measured
            );
            for line in said {
                println!("      {line}");
            }
            rates[at].push(rate);
        }
    }
    pgbench.drop().await?;
    let tps = median(tps);
    println!();
    println!("| load | steps/s | / pgbench -N -c16 ({tps:.0} TPS) | target |");
    println!("|---|---:|---:|---:|");
    for (processes, rates) in options.workers.iter().zip(rates) {
        let rate = median(rates);
        println!(
            "| {processes} worker process(es), {STEPS}-step runs | {rate:.0} | {:.2}x | >= 0.50x |",
            rate / tps
        );
    }
    println!();
    Ok(())
}

// ---- latency ----

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at]
}

async fn latency(options: &Options) -> Result<()> {
    let url = &options.url;
    let schema = schema_name("latency");
    drop_schema(url, &schema).await?;
    let counts = Arc::new(Counts::default());
    let store = Counting {
        inner: PostgresStore::connect_with(url, PostgresOptions::new().schema(&schema)).await?,
        counts: counts.clone(),
    };
    let runner = ThreeSteps.runner().durable(store);
    // One run first: what a run asks of the store, which the hand-written
    // program does too.
    assert_eq!(runner.run(Ask { number: 1 }).await?, 1 + STEPS);
    let commits = counts.commit.load(std::sync::atomic::Ordering::Relaxed) as usize;
    println!(
        "latency: a durable {STEPS}-step run asks the store for {}",
        counts.per_run(1)
    );
    let hand = hand::Hand::new(url, &schema_name("latency_hand")).await?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..options.reps {
        for number in 0..options.latency_runs as u64 {
            let began = Instant::now();
            let result = runner.run(Ask { number }).await?;
            ours.push(began.elapsed());
            assert_eq!(result, number + STEPS);
        }
        for _ in 0..options.latency_runs {
            let began = Instant::now();
            hand.run(commits).await?;
            theirs.push(began.elapsed());
        }
    }
    hand.drop().await?;
    println!(
        "latency: ours' store calls took {} on average",
        counts.times()
    );
    drop(runner);
    drop_schema(url, &schema).await?;
    ours.sort();
    theirs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!(
        "| one durable {STEPS}-step run at a time ({} runs each, taking turns) | ours ms | hand-written ms (create + {commits} commits, 1 statement each) | ours / hand |",
        ours.len()
    );
    println!("|---|---:|---:|---:|");
    for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
        let (a, b) = (percentile(&ours, p), percentile(&theirs, p));
        println!(
            "| {name} | {:.2} | {:.2} | {:.2}x |",
            ms(a),
            ms(b),
            ms(a) / ms(b)
        );
    }
    println!();
    Ok(())
}

// ---- two-step ----

/// Durable two-step runs per second, `concurrency` at once, `runs` of
/// them, in a fresh schema: one line, `two-step: R runs/s`, which
/// `pg_compare.sh` reads.
async fn two_step(options: &Options) -> Result<()> {
    let url = &options.url;
    let mut rates = Vec::new();
    for _ in 0..options.reps {
        let schema = schema_name("two_step");
        drop_schema(url, &schema).await?;
        let store =
            PostgresStore::connect_with(url, PostgresOptions::new().schema(&schema)).await?;
        let runner = Arc::new(TwoSteps.runner().durable(store));
        let began = Instant::now();
        let runs = futures_util::StreamExt::map(futures_util::stream::iter(0..options.runs), |n| {
            let runner = runner.clone();
            async move {
                runner
                    .run(Greet {
                        name: format!("n{n}"),
                    })
                    .await
            }
        });
        let results: Vec<_> = futures_util::StreamExt::collect(
            futures_util::StreamExt::buffer_unordered(runs, options.concurrency),
        )
        .await;
        let took = began.elapsed();
        for result in results {
            assert!(result?.starts_with("HELLO, N"));
        }
        drop(runner);
        drop_schema(url, &schema).await?;
        rates.push(options.runs as f64 / took.as_secs_f64());
    }
    println!(
        "two-step: {:.1} runs/s ({} durable runs, {} at once, median of {})",
        median(rates),
        options.runs,
        options.concurrency,
        options.reps
    );
    Ok(())
}
