//! The operations of [`PostgresStore`]: each write one transaction that
//! locks the run's row, applies the rules of [`RunHead`] to it, and writes
//! back what changed; each read one statement, which sees one state of the
//! database.

use std::collections::BTreeMap;
use std::time::SystemTime;

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;
use workflow_model::RunId;

use super::PostgresStore;
use super::fault::Fault;
use super::rows::{self, HeadRow, int, micros};
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
    /// The head of `run`, locked until `transaction` ends.
    async fn locked_head(
        &self,
        transaction: &Transaction<'_>,
        run: RunId,
    ) -> Result<RunHead, Fault> {
        let statement = transaction.prepare_cached(&self.sql.lock_head).await?;
        match transaction
            .query_opt(&statement, &[&run.to_string()])
            .await?
        {
            Some(row) => rows::head(&row),
            None => Err(Fault::Store(StoreError::NotFound {
                store: self.store.clone(),
                run,
            })),
        }
    }

    /// Writes `head` back to its row.
    async fn update_head(
        &self,
        transaction: &Transaction<'_>,
        head: &RunHead,
    ) -> Result<(), Fault> {
        let statement = transaction.prepare_cached(&self.sql.update_head).await?;
        transaction
            .execute(&statement, &HeadRow::of(head).update())
            .await?;
        Ok(())
    }

    /// Run `run` whole, as `transaction` sees it.
    async fn load_in(&self, transaction: &Transaction<'_>, run: RunId) -> Result<Loaded, Fault> {
        let statement = transaction.prepare_cached(&self.sql.load).await?;
        let row = transaction
            .query_one(&statement, &[&run.to_string()])
            .await?;
        rows::loaded(&row)
    }

    /// Records a new run, leased to `owner`.
    pub(super) async fn create_run(&self, new: NewRun, owner: &Owner) -> Written<Claimed> {
        let now = self.clock.now();
        let mut head = RunHead::new(&new, now);
        let lease = head.take_lease(&self.store, owner, now)?;
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let statement = transaction.prepare_cached(&self.sql.insert_run).await?;
        let row = HeadRow::of(&head);
        let mut params: Vec<&(dyn ToSql + Sync)> = row.insert().to_vec();
        params.push(&new.start);
        if transaction.execute(&statement, &params).await? == 0 {
            return Err(Fault::Store(StoreError::AlreadyExists {
                store: self.store.clone(),
                run: new.id,
            }));
        }
        let notices = head.notices([Change::Created]);
        transaction.commit().await?;
        self.listener.notify(&notices);
        let run = head.created(new.start);
        Ok((Claimed { run, lease }, notices))
    }

    /// Gives `owner` the lease of run `id`.
    pub(super) async fn claim_run(&self, id: RunId, owner: &Owner) -> Written<Claimed> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let mut head = self.locked_head(&transaction, id).await?;
        let lease = head.take_lease(&self.store, owner, self.clock.now())?;
        self.update_head(&transaction, &head).await?;
        let run = self.load_in(&transaction, id).await?;
        let notices = head.notices([Change::Status]);
        transaction.commit().await?;
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
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let now = self.clock.now();
        let statement = transaction.prepare_cached(&self.sql.ready).await?;
        let mut heads = Vec::new();
        for key in workflows {
            if heads.len() == limit {
                break;
            }
            let left = i64::try_from(limit - heads.len()).unwrap_or(i64::MAX);
            let ready = transaction
                .query(
                    &statement,
                    &[&key.name, &key.fingerprint, &micros(now), &left],
                )
                .await?;
            for row in ready {
                heads.push(rows::head(&row)?);
            }
        }
        let mut claimed = Vec::new();
        let mut notices = Vec::new();
        for mut head in heads {
            let lease = head.take_lease(&self.store, owner, now)?;
            self.update_head(&transaction, &head).await?;
            let run = self.load_in(&transaction, head.id).await?;
            claimed.push(Claimed { run, lease });
            notices.extend(head.notices([Change::Status]));
        }
        transaction.commit().await?;
        self.listener.notify(&notices);
        Ok((claimed, notices))
    }

    /// Applies `batch` to the lease's run if the lease is current and the
    /// batch's conditions hold, checked against the run's locked row at
    /// the store's time once the lock is had.
    pub(super) async fn commit_batch(&self, lease: &Lease, batch: Batch) -> Written<Committed> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let mut head = self.locked_head(&transaction, lease.run).await?;
        let now = self.clock.now();
        head.check_batch(&self.store, lease, &batch, now)?;
        self.write_batch(&transaction, lease.run, &batch).await?;
        let (committed, notices) = head.apply(&batch, now);
        self.update_head(&transaction, &head).await?;
        transaction.commit().await?;
        self.listener.notify(&notices);
        Ok((committed, notices))
    }

    /// Writes the records and timers of a checked batch to run `run`.
    async fn write_batch(
        &self,
        transaction: &Transaction<'_>,
        run: RunId,
        batch: &Batch,
    ) -> Result<(), Fault> {
        let id = run.to_string();
        let sql = &self.sql;
        match &batch.snapshot {
            // The snapshot covers every record of the batch: they would be
            // compacted away as soon as written, so only the older go.
            Some(bytes) => {
                let through = int(batch.snapshot_through());
                let delete = transaction.prepare_cached(&sql.delete_journal).await?;
                transaction.execute(&delete, &[&id, &through]).await?;
                let put = transaction.prepare_cached(&sql.put_snapshot).await?;
                transaction.execute(&put, &[&id, &through, bytes]).await?;
            }
            None if !batch.journal.is_empty() => {
                let (seqs, bodies) = rows::columns(batch.numbered_journal());
                let insert = transaction.prepare_cached(&sql.insert_journal).await?;
                transaction.execute(&insert, &[&id, &seqs, &bodies]).await?;
            }
            None => {}
        }
        if !batch.stream.is_empty() {
            let (seqs, bodies) = rows::columns(
                batch
                    .stream
                    .iter()
                    .map(|record| (record.seq, record.bytes.as_slice())),
            );
            let insert = transaction.prepare_cached(&sql.insert_stream).await?;
            transaction.execute(&insert, &[&id, &seqs, &bodies]).await?;
        }
        // The changes in order come to the last one for each timer.
        let mut timers: BTreeMap<&str, Option<SystemTime>> = BTreeMap::new();
        for change in &batch.timers {
            match change {
                TimerChange::Set { id, due } => timers.insert(id, Some(*due)),
                TimerChange::Clear { id } => timers.insert(id, None),
            };
        }
        for (timer, due) in timers {
            match due {
                Some(due) => {
                    let set = transaction.prepare_cached(&sql.set_timer).await?;
                    transaction
                        .execute(&set, &[&id, &timer, &micros(due)])
                        .await?;
                }
                None => {
                    let clear = transaction.prepare_cached(&sql.clear_timer).await?;
                    transaction.execute(&clear, &[&id, &timer]).await?;
                }
            }
        }
        if let Some(through) = batch.consumed_through {
            let delete = transaction.prepare_cached(&sql.delete_inputs).await?;
            transaction.execute(&delete, &[&id, &int(through)]).await?;
        }
        Ok(())
    }

    /// Extends a current lease.
    pub(super) async fn renew_lease(&self, lease: &Lease) -> Written<Lease> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let mut head = self.locked_head(&transaction, lease.run).await?;
        let renewed = head.renew(&self.store, lease, self.clock.now())?;
        self.update_head(&transaction, &head).await?;
        transaction.commit().await?;
        Ok((renewed, Vec::new()))
    }

    /// Appends input to run `run` and so makes a parked run ready, in one
    /// transaction.
    pub(super) async fn append_input(&self, run: RunId, input: &[u8]) -> Written<u64> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let mut head = self.locked_head(&transaction, run).await?;
        let seq = head.add_input(&self.store, self.clock.now())?;
        let insert = transaction.prepare_cached(&self.sql.insert_input).await?;
        transaction
            .execute(&insert, &[&run.to_string(), &int(seq), &input])
            .await?;
        self.update_head(&transaction, &head).await?;
        let notices = head.notices([Change::Input]);
        transaction.commit().await?;
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
