//! The operations of [`PostgresStore`]: each write one transaction that
//! locks the run's row, applies the rules of [`RunHead`] to it, and writes
//! back what changed; each read one statement, which sees one state of the
//! database.

use std::collections::BTreeMap;
use std::time::SystemTime;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};
use workflow_model::RunId;

use super::PostgresStore;
use super::fault::Fault;
use super::pipeline::{Pipelined, Step};
use super::rows::{self, HeadRow, int, micros};
use super::schema::Sql;
use crate::batch::{Batch, Committed, TimerChange};
use crate::error::StoreError;
use crate::head::RunHead;
use crate::lease::{Lease, Owner};
use crate::notice::{Change, Notice};
use crate::run::{Claimed, Loaded, NewRun, Record, RunFilter, RunMeta, WorkflowKey};

/// What a write returns: its answer, and the notices to send once it
/// committed.
type Written<T> = Result<(T, Vec<Notice>), Fault>;

impl PostgresStore {
    /// Begins a transaction on `conn` and locks the head of `run` in it,
    /// in one round trip: the head, locked until the transaction ends.
    async fn begin_locked(&self, conn: &Pipelined, run: RunId) -> Result<RunHead, Fault> {
        let statement = conn.prepare_cached(&self.sql.lock_head).await?;
        let id = run.to_string();
        let found = conn
            .begin_with(Box::pin(async move {
                Ok(conn
                    .query_opt(&statement, &[&id])
                    .await?
                    .into_iter()
                    .collect())
            }))
            .await?;
        match found.first().map(rows::head) {
            Some(Ok(head)) => Ok(head),
            Some(Err(fault)) => Err(refuse(conn, fault).await),
            None => Err(refuse(conn, self.not_found(run)).await),
        }
    }

    fn not_found(&self, run: RunId) -> Fault {
        Fault::Store(StoreError::NotFound {
            store: self.store.clone(),
            run,
        })
    }

    /// Records a new run, leased to `owner`: one statement, which commits
    /// alone.
    pub(super) async fn create_run(&self, new: NewRun, owner: &Owner) -> Written<Claimed> {
        let now = self.clock.now();
        let mut head = RunHead::new(&new, now);
        let lease = head.take_lease(&self.store, owner, now)?;
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(&self.sql.insert_run).await?;
        let row = HeadRow::of(&head);
        let mut params: Vec<&(dyn ToSql + Sync)> = row.insert().to_vec();
        params.push(&new.start);
        if client.execute(&statement, &params).await? == 0 {
            return Err(Fault::Store(StoreError::AlreadyExists {
                store: self.store.clone(),
                run: new.id,
            }));
        }
        let notices = head.notices([Change::Created]);
        self.listener.notify(&notices);
        let run = head.created(new.start);
        Ok((Claimed { run, lease }, notices))
    }

    /// Gives `owner` the lease of run `id`.
    pub(super) async fn claim_run(&self, id: RunId, owner: &Owner) -> Written<Claimed> {
        let conn = Pipelined::new(self.pool.get().await?);
        let update = conn.prepare_cached(&self.sql.update_head).await?;
        let load = conn.prepare_cached(&self.sql.load).await?;
        let mut head = self.begin_locked(&conn, id).await?;
        let lease = match head.take_lease(&self.store, owner, self.clock.now()) {
            Ok(lease) => lease,
            Err(error) => return Err(refuse(&conn, error.into()).await),
        };
        let row = HeadRow::of(&head);
        let run_id = id.to_string();
        let answers = conn
            .commit_with(vec![
                exec(&conn, &update, row.update().to_vec()),
                query(&conn, &load, vec![&run_id]),
            ])
            .await?;
        let run = rows::loaded(only_row(&answers[1])?)?;
        let notices = head.notices([Change::Status]);
        self.listener.notify(&notices);
        Ok((Claimed { run, lease }, notices))
    }

    /// Gives `owner` the leases of up to `limit` ready runs of
    /// `workflows`, skipping runs another transaction has locked.
    pub(super) async fn claim_ready_runs(
        &self,
        owner: &Owner,
        workflows: &[WorkflowKey],
        limit: usize,
    ) -> Written<Vec<Claimed>> {
        if limit == 0 || workflows.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let conn = Pipelined::new(self.pool.get().await?);
        let ready = conn.prepare_cached(&self.sql.ready).await?;
        let update = conn.prepare_cached(&self.sql.update_head).await?;
        let load = conn.prepare_cached(&self.sql.load).await?;
        let now = self.clock.now();
        let at = micros(now);
        let mut heads = Vec::new();
        for (nth, key) in workflows.iter().enumerate() {
            if heads.len() == limit {
                break;
            }
            let left = i64::try_from(limit - heads.len()).unwrap_or(i64::MAX);
            let params: Vec<&(dyn ToSql + Sync)> = vec![&key.name, &key.fingerprint, &at, &left];
            let step = query(&conn, &ready, params);
            // The first query goes with BEGIN.
            let found = if nth == 0 {
                conn.begin_with(step).await?
            } else {
                match step.await {
                    Ok(found) => found,
                    Err(error) => return Err(refuse(&conn, error.into()).await),
                }
            };
            for row in &found {
                match rows::head(row) {
                    Ok(head) => heads.push(head),
                    Err(fault) => return Err(refuse(&conn, fault).await),
                }
            }
        }
        let mut leases = Vec::new();
        for head in &mut heads {
            match head.take_lease(&self.store, owner, now) {
                Ok(lease) => leases.push(lease),
                Err(error) => return Err(refuse(&conn, error.into()).await),
            }
        }
        // Every head written and every run loaded, then COMMIT, at once.
        let written: Vec<(HeadRow, String)> = heads
            .iter()
            .map(|head| (HeadRow::of(head), head.id.to_string()))
            .collect();
        let mut steps = Vec::new();
        for (row, id) in &written {
            steps.push(exec(&conn, &update, row.update().to_vec()));
            steps.push(query(&conn, &load, vec![id]));
        }
        let answers = conn.commit_with(steps).await?;
        let mut claimed = Vec::new();
        let mut notices = Vec::new();
        for ((head, lease), loaded) in heads.iter().zip(leases).zip(answers.chunks(2)) {
            let run = rows::loaded(only_row(&loaded[1])?)?;
            claimed.push(Claimed { run, lease });
            notices.extend(head.notices([Change::Status]));
        }
        self.listener.notify(&notices);
        Ok((claimed, notices))
    }

    /// Applies `batch` to the lease's run if the lease is current and the
    /// batch's conditions hold, checked against the run's locked row at
    /// the store's time once the lock is had.
    pub(super) async fn commit_batch(&self, lease: &Lease, batch: Batch) -> Written<Committed> {
        let conn = Pipelined::new(self.pool.get().await?);
        let statements = BatchStatements::prepare(&conn, &self.sql).await?;
        let mut head = self.begin_locked(&conn, lease.run).await?;
        let now = self.clock.now();
        if let Err(error) = head.check_batch(&self.store, lease, &batch, now) {
            return Err(refuse(&conn, error.into()).await);
        }
        let (committed, notices) = head.apply(&batch, now);
        let rows = BatchRows::of(lease.run, &batch);
        let head_row = HeadRow::of(&head);
        let mut steps = rows.steps(&conn, &statements);
        steps.push(exec(
            &conn,
            &statements.update_head,
            head_row.update().to_vec(),
        ));
        conn.commit_with(steps).await?;
        self.listener.notify(&notices);
        Ok((committed, notices))
    }

    /// Extends a current lease.
    pub(super) async fn renew_lease(&self, lease: &Lease) -> Written<Lease> {
        let conn = Pipelined::new(self.pool.get().await?);
        let update = conn.prepare_cached(&self.sql.update_head).await?;
        let mut head = self.begin_locked(&conn, lease.run).await?;
        let renewed = match head.renew(&self.store, lease, self.clock.now()) {
            Ok(renewed) => renewed,
            Err(error) => return Err(refuse(&conn, error.into()).await),
        };
        let row = HeadRow::of(&head);
        conn.commit_with(vec![exec(&conn, &update, row.update().to_vec())])
            .await?;
        Ok((renewed, Vec::new()))
    }

    /// Appends input to run `run` and so makes a parked run ready, in one
    /// transaction.
    pub(super) async fn append_input(&self, run: RunId, input: &[u8]) -> Written<u64> {
        let conn = Pipelined::new(self.pool.get().await?);
        let insert = conn.prepare_cached(&self.sql.insert_input).await?;
        let update = conn.prepare_cached(&self.sql.update_head).await?;
        let mut head = self.begin_locked(&conn, run).await?;
        let seq = match head.add_input(&self.store, self.clock.now()) {
            Ok(seq) => seq,
            Err(error) => return Err(refuse(&conn, error.into()).await),
        };
        let (id, seq_int) = (run.to_string(), int(seq));
        let row = HeadRow::of(&head);
        conn.commit_with(vec![
            exec(&conn, &insert, vec![&id, &seq_int, &input]),
            exec(&conn, &update, row.update().to_vec()),
        ])
        .await?;
        let notices = head.notices([Change::Input]);
        self.listener.notify(&notices);
        Ok((seq, notices))
    }

    /// Run `run` whole, if there is one.
    pub(super) async fn load_run(&self, run: RunId) -> Result<Option<Loaded>, Fault> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(&self.sql.load).await?;
        let row = client.query_opt(&statement, &[&run.to_string()]).await?;
        row.as_ref().map(rows::loaded).transpose()
    }

    /// Run `run`'s stream records after `after`, at most `limit`.
    pub(super) async fn read_stream_of(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Record>, Fault> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(&self.sql.read_stream).await?;
        // One row more than asked, for the null row of a run without
        // records after `after`.
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let found = client
            .query(&statement, &[&run.to_string(), &int(after), &limit])
            .await?;
        if found.is_empty() {
            return Err(Fault::Store(StoreError::NotFound {
                store: self.store.clone(),
                run,
            }));
        }
        let mut records = Vec::new();
        for row in found {
            if let Some(seq) = row.try_get::<_, Option<i64>>(0)? {
                records.push(Record {
                    seq: seq.unsigned_abs(),
                    bytes: row.try_get(1)?,
                });
            }
        }
        Ok(records)
    }

    /// The metadata of the runs `filter` admits, by id.
    pub(super) async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunMeta>, Fault> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(&self.sql.list).await?;
        let status = filter.status.map(rows::kind_code);
        let after = filter.after.map(|id| id.to_string());
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        let found = client
            .query(&statement, &[&status, &filter.workflow, &after, &limit])
            .await?;
        found
            .iter()
            .map(|row| rows::head(row).map(|head| head.meta()))
            .collect()
    }
}

/// Rolls back the transaction `conn` is in, as the store's rules or a
/// failure ended the write: `fault`.
async fn refuse(conn: &Pipelined, fault: Fault) -> Fault {
    conn.rollback().await;
    fault
}

/// `statement` with `params`, which answers no rows.
fn exec<'a>(
    conn: &'a Pipelined,
    statement: &'a Statement,
    params: Vec<&'a (dyn ToSql + Sync)>,
) -> Step<'a> {
    Box::pin(async move {
        conn.execute(statement, &params).await?;
        Ok(Vec::new())
    })
}

/// `statement` with `params`, and the rows it answers.
fn query<'a>(
    conn: &'a Pipelined,
    statement: &'a Statement,
    params: Vec<&'a (dyn ToSql + Sync)>,
) -> Step<'a> {
    Box::pin(async move { conn.query(statement, &params).await })
}

/// The one row a statement answered.
fn only_row(rows: &[Row]) -> Result<&Row, Fault> {
    match rows {
        [row] => Ok(row),
        _ => Err(Fault::Corrupt(format!(
            "one row expected, {} answered",
            rows.len()
        ))),
    }
}

/// The statements a commit may run, prepared before its transaction
/// begins (each once per connection, then from its cache).
struct BatchStatements {
    delete_journal: Statement,
    put_snapshot: Statement,
    insert_journal: Statement,
    insert_stream: Statement,
    set_timer: Statement,
    clear_timer: Statement,
    delete_inputs: Statement,
    update_head: Statement,
}

impl BatchStatements {
    async fn prepare(conn: &Pipelined, sql: &Sql) -> Result<Self, Fault> {
        Ok(Self {
            delete_journal: conn.prepare_cached(&sql.delete_journal).await?,
            put_snapshot: conn.prepare_cached(&sql.put_snapshot).await?,
            insert_journal: conn.prepare_cached(&sql.insert_journal).await?,
            insert_stream: conn.prepare_cached(&sql.insert_stream).await?,
            set_timer: conn.prepare_cached(&sql.set_timer).await?,
            clear_timer: conn.prepare_cached(&sql.clear_timer).await?,
            delete_inputs: conn.prepare_cached(&sql.delete_inputs).await?,
            update_head: conn.prepare_cached(&sql.update_head).await?,
        })
    }
}

/// The parameters of the writes of a checked batch to one run.
struct BatchRows<'b> {
    id: String,
    /// The snapshot and the journal record it covers through.
    snapshot: Option<(i64, &'b Vec<u8>)>,
    journal: Option<(Vec<i64>, Vec<&'b [u8]>)>,
    stream: Option<(Vec<i64>, Vec<&'b [u8]>)>,
    /// The last change of each timer: its due time, or `None` to clear it.
    timers: Vec<(&'b str, Option<i64>)>,
    consumed_through: Option<i64>,
}

impl<'b> BatchRows<'b> {
    fn of(run: RunId, batch: &'b Batch) -> Self {
        // The snapshot covers every record of the batch: they would be
        // compacted away as soon as written, so only the older go.
        let snapshot = batch
            .snapshot
            .as_ref()
            .map(|bytes| (int(batch.snapshot_through()), bytes));
        let journal = (snapshot.is_none() && !batch.journal.is_empty())
            .then(|| rows::columns(batch.numbered_journal()));
        let stream = (!batch.stream.is_empty()).then(|| {
            rows::columns(
                batch
                    .stream
                    .iter()
                    .map(|record| (record.seq, record.bytes.as_slice())),
            )
        });
        // The changes in order come to the last one for each timer.
        let mut timers: BTreeMap<&str, Option<SystemTime>> = BTreeMap::new();
        for change in &batch.timers {
            match change {
                TimerChange::Set { id, due } => timers.insert(id, Some(*due)),
                TimerChange::Clear { id } => timers.insert(id, None),
            };
        }
        Self {
            id: run.to_string(),
            snapshot,
            journal,
            stream,
            timers: timers
                .into_iter()
                .map(|(timer, due)| (timer, due.map(micros)))
                .collect(),
            consumed_through: batch.consumed_through.map(int),
        }
    }

    /// The writes, in the order a statement at a time made them.
    fn steps<'a>(&'a self, conn: &'a Pipelined, statements: &'a BatchStatements) -> Vec<Step<'a>> {
        let id = &self.id;
        let mut steps = Vec::new();
        if let Some((through, bytes)) = &self.snapshot {
            steps.push(exec(conn, &statements.delete_journal, vec![id, through]));
            steps.push(exec(
                conn,
                &statements.put_snapshot,
                vec![id, through, *bytes],
            ));
        }
        if let Some((seqs, bodies)) = &self.journal {
            steps.push(exec(
                conn,
                &statements.insert_journal,
                vec![id, seqs, bodies],
            ));
        }
        if let Some((seqs, bodies)) = &self.stream {
            steps.push(exec(
                conn,
                &statements.insert_stream,
                vec![id, seqs, bodies],
            ));
        }
        for (timer, due) in &self.timers {
            match due {
                Some(due) => steps.push(exec(conn, &statements.set_timer, vec![id, timer, due])),
                None => steps.push(exec(conn, &statements.clear_timer, vec![id, timer])),
            }
        }
        if let Some(through) = &self.consumed_through {
            steps.push(exec(conn, &statements.delete_inputs, vec![id, through]));
        }
        steps
    }
}
