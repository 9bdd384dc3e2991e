//! A store shared through an [`Arc`] is a store: one store can back the
//! runners of several workflows, and a test can keep a handle on it.

use std::sync::Arc;

use tokio::sync::broadcast;
use workflow_model::RunId;

use crate::batch::{Batch, Committed};
use crate::error::StoreError;
use crate::lease::{Lease, Owner};
use crate::notice::Notice;
use crate::run::{Claimed, Loaded, NewRun, RunFilter, RunMeta, StreamRecord, WorkflowKey};
use crate::store::{BoxFuture, Store};

impl<S: Store + ?Sized> Store for Arc<S> {
    fn describe(&self) -> String {
        (**self).describe()
    }

    fn create(&self, run: NewRun, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        (**self).create(run, owner)
    }

    fn claim(&self, run: RunId, owner: &Owner) -> BoxFuture<'_, Result<Claimed, StoreError>> {
        (**self).claim(run, owner)
    }

    fn claim_ready<'a>(
        &'a self,
        owner: &'a Owner,
        workflows: &'a [WorkflowKey],
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        (**self).claim_ready(owner, workflows, limit)
    }

    fn commit<'a>(
        &'a self,
        lease: &'a Lease,
        batch: Batch,
    ) -> BoxFuture<'a, Result<Committed, StoreError>> {
        (**self).commit(lease, batch)
    }

    fn renew<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<Lease, StoreError>> {
        (**self).renew(lease)
    }

    fn load(&self, run: RunId) -> BoxFuture<'_, Result<Option<Loaded>, StoreError>> {
        (**self).load(run)
    }

    fn read_stream(
        &self,
        run: RunId,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StreamRecord>, StoreError>> {
        (**self).read_stream(run, after, limit)
    }

    fn send_input(&self, run: RunId, input: Vec<u8>) -> BoxFuture<'_, Result<u64, StoreError>> {
        (**self).send_input(run, input)
    }

    fn list<'a>(
        &'a self,
        filter: &'a RunFilter,
    ) -> BoxFuture<'a, Result<Vec<RunMeta>, StoreError>> {
        (**self).list(filter)
    }

    fn notices(&self) -> broadcast::Receiver<Notice> {
        (**self).notices()
    }
}
