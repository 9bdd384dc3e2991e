//! What every route shares: the served workflows, the runs in memory or
//! the store that holds them, and the server's settings; and how a route
//! finds a workflow or a run.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use workflow_model::RunId;
use workflow_store::{Loaded, Store};

use crate::error::ApiError;
use crate::served::Served;
use crate::tracked::{Table, Tracked};

/// The state of the server's routes.
pub(crate) struct App {
    /// By the names they are served under.
    pub(crate) workflows: BTreeMap<Arc<str>, Arc<dyn Served>>,
    /// By their types' names, as the store knows their runs.
    pub(crate) by_type: HashMap<&'static str, Arc<dyn Served>>,
    /// The runs, in memory when the server has no store.
    pub(crate) runs: Runs,
    /// How long an idle SSE stream waits before a heartbeat.
    pub(crate) heartbeat: Duration,
}

/// Where the server keeps its runs.
pub(crate) enum Runs {
    /// In this process's memory.
    Memory(Arc<Table>),
    /// In a store, where they survive the server.
    Stored(Arc<dyn Store>),
}

/// A run, where the server keeps it.
pub(crate) enum Found {
    /// In memory.
    Tracked(Arc<Tracked>),
    /// In the store, with its workflow.
    Stored(Box<Loaded>, Arc<dyn Served>),
}

impl App {
    /// The workflow served as `name`, or a 404 naming those there are.
    pub(crate) fn workflow(&self, name: &str) -> Result<&Arc<dyn Served>, ApiError> {
        self.workflows.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.workflows.keys().map(|name| &**name).collect();
            ApiError::no_workflow(name, &known)
        })
    }

    /// The run of handler `id`, or a 404.
    pub(crate) async fn find(&self, id: &str) -> Result<Found, ApiError> {
        match &self.runs {
            Runs::Memory(table) => table
                .get(id)
                .map(Found::Tracked)
                .ok_or_else(ApiError::no_handler),
            Runs::Stored(store) => {
                let run: RunId = id.parse().map_err(|_| ApiError::no_handler())?;
                let loaded = store
                    .load(run)
                    .await
                    .map_err(|error| ApiError::internal(error.to_string()))?
                    .ok_or_else(ApiError::no_handler)?;
                let served = self.served_for(&loaded.meta.workflow.name)?;
                Ok(Found::Stored(Box::new(loaded), served))
            }
        }
    }

    /// The workflow whose type is named `type_name` in the store.
    pub(crate) fn served_for(&self, type_name: &str) -> Result<Arc<dyn Served>, ApiError> {
        self.by_type.get(type_name).cloned().ok_or_else(|| {
            ApiError::unprocessable(format!(
                "the run is of workflow `{type_name}`, which this server does not serve"
            ))
        })
    }
}
