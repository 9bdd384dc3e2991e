//! The schema a store keeps its runs in: its name, the crate's migrations
//! (versioned in a table of the schema), and the statements the store runs
//! there, each written once for the schema's name.

use tokio_postgres::Client;

use super::fault::Fault;

/// The migrations, in order: the schema is at version `n` once the first
/// `n` have run. `{s}` stands for the schema's quoted name. Append only;
/// never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: runs and their records. Times are microseconds since the Unix
    // epoch by the store's clock (leases and timers follow that clock, not
    // the server's). Ids are text compared bytewise (COLLATE "C"), so that
    // `ORDER BY id` is the order of `RunId` and of timer ids in Rust.
    // `runs` leaves room in its pages (fillfactor) for the new version of a
    // row each commit writes, so that it stays on the page (a HOT update)
    // and the indexes are not touched. No foreign keys: every write to a
    // run's records holds the lock of its `runs` row already.
    r#"CREATE TABLE IF NOT EXISTS {s}.runs (
        id text COLLATE "C" PRIMARY KEY,
        workflow text NOT NULL,
        fingerprint text NOT NULL,
        status smallint NOT NULL,
        outcome bytea,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        epoch bigint NOT NULL,
        lease_owner text,
        lease_micros bigint,
        lease_expires bigint,
        journal_next bigint NOT NULL,
        stream_next bigint NOT NULL,
        input_next bigint NOT NULL,
        consumed_through bigint NOT NULL,
        start bytea NOT NULL
    ) WITH (fillfactor = 80);
    CREATE INDEX IF NOT EXISTS runs_unfinished ON {s}.runs (workflow, fingerprint, id) WHERE status <> 2;
    CREATE TABLE IF NOT EXISTS {s}.journal (run text COLLATE "C" NOT NULL, seq bigint NOT NULL,
        body bytea NOT NULL, PRIMARY KEY (run, seq));
    CREATE TABLE IF NOT EXISTS {s}.stream (run text COLLATE "C" NOT NULL, seq bigint NOT NULL,
        body bytea NOT NULL, PRIMARY KEY (run, seq));
    CREATE TABLE IF NOT EXISTS {s}.inputs (run text COLLATE "C" NOT NULL, seq bigint NOT NULL,
        body bytea NOT NULL, PRIMARY KEY (run, seq));
    CREATE TABLE IF NOT EXISTS {s}.snapshots (run text COLLATE "C" PRIMARY KEY, through bigint NOT NULL,
        body bytea NOT NULL);
    CREATE TABLE IF NOT EXISTS {s}.timers (run text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
        due bigint NOT NULL, PRIMARY KEY (run, id));
    CREATE INDEX IF NOT EXISTS timers_due ON {s}.timers (due, run);"#,
];

/// The first key of the advisory lock that migrations take; the second is
/// the hash of the schema's name, so that stores in different schemas
/// migrate without waiting on each other.
const LOCK_CLASS: i32 = 0x5746_5354; // "WFST"

/// How long a schema's name may be: the channel of its notices,
/// `workflow_store_` and the name, must fit in PostgreSQL's 63 bytes.
const NAME_MAX: usize = 48;

/// Fails unless `name` is a schema name the store accepts: lowercase ASCII
/// letters, digits and `_`, not starting with a digit, at most 48 bytes.
/// (So it needs no quoting rules beyond the double quotes it gets.) Names
/// starting with `pg_` are PostgreSQL's own, which it refuses to create.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    if name.starts_with("pg_") {
        return Err(format!(
            "the schema name {name:?} starts with `pg_`, which PostgreSQL keeps for its own schemas: choose another"
        ));
    }
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && name.len() <= NAME_MAX {
        Ok(())
    } else {
        Err(format!(
            "the schema name {name:?} is not one this store accepts: use 1 to {NAME_MAX} lowercase ASCII letters, digits and `_`, not starting with a digit"
        ))
    }
}

/// Creates the schema if it is missing and runs the migrations it has not
/// had, in one transaction under an advisory lock: two processes that
/// connect at once migrate one after the other, and the second finds the
/// work done.
pub(super) async fn migrate(client: &mut Client, schema: &str) -> Result<(), Fault> {
    let quoted = format!("\"{schema}\"");
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[&LOCK_CLASS, &schema],
        )
        .await?;
    transaction
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {quoted};
             CREATE TABLE IF NOT EXISTS {quoted}.schema_version (
                 version integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             );"
        ))
        .await?;
    let version: i32 = transaction
        .query_one(
            &format!("SELECT coalesce(max(version), 0) FROM {quoted}.schema_version"),
            &[],
        )
        .await?
        .get(0);
    let known = MIGRATIONS.len();
    let done = usize::try_from(version).unwrap_or(0);
    if done > known {
        return Err(Fault::Unsupported(format!(
            "the schema {quoted} is at version {version}, newer than this crate's {known}: connect with a newer workflow-store"
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        transaction
            .batch_execute(&migration.replace("{s}", &quoted))
            .await?;
        let applied = i32::try_from(index + 1).expect("fewer than 2^31 migrations");
        transaction
            .execute(
                &format!("INSERT INTO {quoted}.schema_version (version) VALUES ($1)"),
                &[&applied],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// The head columns of `runs`, in the order `rows::head` reads them, each
/// prefixed by `table` (an alias and a dot, or nothing).
fn head_columns(table: &str) -> String {
    [
        "id",
        "workflow",
        "fingerprint",
        "status",
        "outcome",
        "created_at",
        "updated_at",
        "epoch",
        "lease_owner",
        "lease_micros",
        "lease_expires",
        "journal_next",
        "stream_next",
        "input_next",
        "consumed_through",
    ]
    .map(|column| format!("{table}{column}"))
    .join(", ")
}

/// The statements the store runs, written for one schema.
pub(super) struct Sql {
    /// The head of run `$1`, locked for the transaction.
    pub lock_head: String,
    /// A new run: `$1`-`$16`, every column; nothing if the id is taken.
    pub insert_run: String,
    /// Writes the head of run `$1` (`$2`-`$12`: status to consumed_through).
    pub update_head: String,
    /// A run whole, as of one snapshot: its head, start, snapshot, and the
    /// journal, inputs and timers as arrays.
    pub load: String,
    /// The ready runs of workflow `$1` at fingerprint `$2` at time `$3`,
    /// at most `$4`, in id order, locked; skipping those another
    /// transaction holds.
    pub ready: String,
    /// Run `$1`'s stream records after `$2`, at most `$3`: one row with a
    /// null seq if it has none, no row if there is no run.
    pub read_stream: String,
    /// The heads of runs in status `$1`, of workflow `$2`, after id `$3`
    /// (each null for any), at most `$4`, by id.
    pub list: String,
    /// Appends records `$2` (seqs) with bodies `$3` to run `$1`'s journal.
    pub insert_journal: String,
    /// The same for the stream.
    pub insert_stream: String,
    /// Appends input `$2` with body `$3` to run `$1`.
    pub insert_input: String,
    /// Drops run `$1`'s journal records through `$2`.
    pub delete_journal: String,
    /// Drops run `$1`'s input through `$2`.
    pub delete_inputs: String,
    /// Sets run `$1`'s snapshot to `$3`, covering the journal through `$2`.
    pub put_snapshot: String,
    /// Sets run `$1`'s timer `$2` to `$3`.
    pub set_timer: String,
    /// Clears run `$1`'s timer `$2`.
    pub clear_timer: String,
}

impl Sql {
    /// The statements for schema `schema` (a name [`check_name`] accepts).
    pub fn new(schema: &str) -> Self {
        let s = format!("\"{schema}\"");
        let head = head_columns("");
        let r_head = head_columns("r.");
        let records = |table: &str| {
            format!(
                "INSERT INTO {s}.{table} (run, seq, body)
                 SELECT $1, seq, body FROM unnest($2::bigint[], $3::bytea[]) AS batch (seq, body)"
            )
        };
        Self {
            lock_head: format!("SELECT {head} FROM {s}.runs WHERE id = $1 FOR UPDATE"),
            insert_run: format!(
                "INSERT INTO {s}.runs ({head}, start)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (id) DO NOTHING"
            ),
            update_head: format!(
                "UPDATE {s}.runs SET status = $2, outcome = $3, updated_at = $4, epoch = $5,
                     lease_owner = $6, lease_micros = $7, lease_expires = $8, journal_next = $9,
                     stream_next = $10, input_next = $11, consumed_through = $12
                 WHERE id = $1"
            ),
            load: format!(
                "SELECT {r_head}, r.start, sn.through, sn.body,
                     j.seqs, j.bodies, i.seqs, i.bodies, t.ids, t.dues
                 FROM {s}.runs r
                 LEFT JOIN {s}.snapshots sn ON sn.run = r.id
                 LEFT JOIN LATERAL (SELECT array_agg(seq ORDER BY seq) AS seqs,
                         array_agg(body ORDER BY seq) AS bodies
                     FROM {s}.journal WHERE run = r.id) j ON true
                 LEFT JOIN LATERAL (SELECT array_agg(seq ORDER BY seq) AS seqs,
                         array_agg(body ORDER BY seq) AS bodies
                     FROM {s}.inputs WHERE run = r.id) i ON true
                 LEFT JOIN LATERAL (SELECT array_agg(id ORDER BY id) AS ids,
                         array_agg(due ORDER BY id) AS dues
                     FROM {s}.timers WHERE run = r.id) t ON true
                 WHERE r.id = $1"
            ),
            // The rule of `RunHead::is_ready`, in SQL; `runs_unfinished`
            // serves the workflow, the order and the status.
            ready: format!(
                "SELECT {head} FROM {s}.runs
                 WHERE workflow = $1 AND fingerprint = $2 AND status <> 2
                   AND (lease_owner IS NULL OR lease_expires <= $3)
                   AND (status = 0 OR input_next > consumed_through + 1
                        OR EXISTS (SELECT 1 FROM {s}.timers
                                   WHERE timers.run = runs.id AND timers.due <= $3))
                 ORDER BY id LIMIT $4
                 FOR UPDATE OF runs SKIP LOCKED"
            ),
            read_stream: format!(
                "SELECT st.seq, st.body FROM {s}.runs r
                 LEFT JOIN {s}.stream st ON st.run = r.id AND st.seq > $2
                 WHERE r.id = $1 ORDER BY st.seq LIMIT $3"
            ),
            list: format!(
                "SELECT {head} FROM {s}.runs
                 WHERE ($1::smallint IS NULL OR status = $1)
                   AND ($2::text IS NULL OR workflow = $2)
                   AND ($3::text IS NULL OR id > $3)
                 ORDER BY id LIMIT $4"
            ),
            insert_journal: records("journal"),
            insert_stream: records("stream"),
            insert_input: format!("INSERT INTO {s}.inputs (run, seq, body) VALUES ($1, $2, $3)"),
            delete_journal: format!("DELETE FROM {s}.journal WHERE run = $1 AND seq <= $2"),
            delete_inputs: format!("DELETE FROM {s}.inputs WHERE run = $1 AND seq <= $2"),
            put_snapshot: format!(
                "INSERT INTO {s}.snapshots (run, through, body) VALUES ($1, $2, $3)
                 ON CONFLICT (run) DO UPDATE SET through = excluded.through, body = excluded.body"
            ),
            set_timer: format!(
                "INSERT INTO {s}.timers (run, id, due) VALUES ($1, $2, $3)
                 ON CONFLICT (run, id) DO UPDATE SET due = excluded.due"
            ),
            clear_timer: format!("DELETE FROM {s}.timers WHERE run = $1 AND id = $2"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_of_postgresql_s_own_schemas_are_refused_before_connecting() {
        assert!(check_name("kill_test").is_ok());
        let refused = check_name("pg_kill").unwrap_err();
        assert!(refused.contains("`pg_`"), "{refused}");
        assert!(check_name("pgkill").is_ok());
    }
}
