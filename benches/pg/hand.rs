//! The strongest hand-written program of a durable three-step run's
//! writes: on one tokio-postgres connection with prepared statements, a
//! run is one synced transaction that creates its row, then one per
//! commit of ours, each a single statement (one round trip) that checks
//! the owner and advances the row as it appends the journal record. What
//! it leaves out that the store does: the lease's rules, checked in Rust
//! against the locked row, the stream, and the notices.

use anyhow::Result;
use tokio_postgres::{Client, Statement};
use typed_workflows::RunId;

pub struct Hand {
    client: Client,
    url: String,
    schema: String,
    create: Statement,
    commit: Statement,
}

impl Hand {
    pub async fn new(url: &str, schema: &str) -> Result<Self> {
        let client = super::connect(url).await?;
        client
            .batch_execute(&format!(
                r#"DROP SCHEMA IF EXISTS "{schema}" CASCADE;
                CREATE SCHEMA "{schema}";
                CREATE TABLE "{schema}".runs (id text COLLATE "C" PRIMARY KEY, owner text NOT NULL,
                    status smallint NOT NULL, journal_next bigint NOT NULL, start bytea NOT NULL)
                    WITH (fillfactor = 80);
                CREATE TABLE "{schema}".journal (run text COLLATE "C" NOT NULL, seq bigint NOT NULL,
                    body bytea NOT NULL, PRIMARY KEY (run, seq));"#
            ))
            .await?;
        let create = client
            .prepare(&format!(
                r#"INSERT INTO "{schema}".runs VALUES ($1, $2, 0, 1, $3)"#
            ))
            .await?;
        let commit = client
            .prepare(&format!(
                r#"WITH head AS (UPDATE "{schema}".runs SET journal_next = journal_next + 1, status = $4
                    WHERE id = $1 AND owner = $2 AND journal_next = $3 RETURNING id)
                INSERT INTO "{schema}".journal SELECT id, $3, $5 FROM head"#
            ))
            .await?;
        Ok(Self {
            client,
            url: url.to_owned(),
            schema: schema.to_owned(),
            create,
            commit,
        })
    }

    /// A run: its creation, then `commits` commits, the last finishing it.
    pub async fn run(&self, commits: usize) -> Result<()> {
        let id = RunId::next().to_string();
        let owner = "hand";
        let start = vec![7_u8; 512];
        self.client
            .execute(&self.create, &[&id, &owner, &start])
            .await?;
        let body = vec![1_u8; 128];
        for seq in 1..=commits as i64 {
            let status: i16 = if seq == commits as i64 { 2 } else { 0 };
            let landed = self
                .client
                .execute(&self.commit, &[&id, &owner, &seq, &status, &body])
                .await?;
            anyhow::ensure!(landed == 1, "commit {seq} did not land");
        }
        Ok(())
    }

    pub async fn drop(self) -> Result<()> {
        super::drop_schema(&self.url, &self.schema).await
    }
}
