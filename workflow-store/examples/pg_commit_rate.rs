//! How many commits per second `PostgresStore` lands with 1, 16 and 64
//! concurrent committers (each on its own run; one small journal record
//! and one stream record per batch), on the server at `DATABASE_URL`, in a
//! schema of its own that it drops after.
//!
//! ```text
//! cargo run --release -p workflow-store --features postgres --example pg_commit_rate [SECONDS] [PGBENCH_TPS]
//! ```
//!
//! Each rate is measured for SECONDS (5 by default). Given PGBENCH_TPS, the
//! TPS `pgbench -N -c16 -T10` reported on the same server (its simple
//! update: three updates and an insert, each commit synced), it prints
//! each rate as a ratio of it too.

use std::sync::Arc;
use std::time::Duration;

use workflow_store::{PostgresOptions, PostgresStore};

#[path = "shared/committers.rs"]
mod committers;

use committers::commit_for;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args
        .next()
        .map_or(5.0, |text| text.parse().expect("SECONDS: a number"));
    let pgbench: Option<f64> = args
        .next()
        .map(|text| text.parse().expect("PGBENCH_TPS: a number"));
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL: the server to measure");
    let schema = format!("commit_rate_{}", std::process::id());
    let options = PostgresOptions::new().schema(&schema);
    let store = Arc::new(
        PostgresStore::connect_with(&url, options)
            .await
            .expect("connect"),
    );
    let window = Duration::from_secs_f64(seconds);
    for committers in [1, 16, 64] {
        let (commits, took) = commit_for(store.clone(), committers, window).await;
        let rate = commits as f64 / took.as_secs_f64();
        match pgbench {
            Some(tps) => println!(
                "{committers:>2} committers: {rate:>7.0} commits/s, {:.2}x pgbench -N -c16's {tps:.0} TPS",
                rate / tps
            ),
            None => println!("{committers:>2} committers: {rate:>7.0} commits/s"),
        }
    }
    drop(store);
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect to drop the schema");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .expect("drop the schema");
}
