//! The connection that reads, used off the async threads.

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::fault::RowError;
use crate::error::StoreError;

/// A read-only connection, lent to one blocking task at a time.
pub(super) struct Reader {
    conn: Arc<Mutex<Connection>>,
    store: String,
}

impl Reader {
    /// Reads through `conn` for the store `store`.
    pub fn new(conn: Connection, store: String) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
            store,
        }
    }

    /// Runs `read` on a blocking thread, inside one read transaction so
    /// that it sees one state of the file; `operation` names it in errors,
    /// built only for one.
    pub async fn run<T, F, O>(&self, operation: O, read: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, RowError> + Send + 'static,
        O: FnOnce() -> String + Send + 'static,
        T: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let store = self.store.clone();
        let task = tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            in_transaction(&conn, read).map_err(|error| error.at(&store, &operation()))
        });
        task.await.map_err(|error| StoreError::Backend {
            store: self.store.clone(),
            operation: "a read on a blocking thread".to_owned(),
            source: Box::new(error),
        })?
    }
}

/// Runs `read` in a read transaction, which ends however `read` went.
fn in_transaction<T>(
    conn: &Connection,
    read: impl FnOnce(&Connection) -> Result<T, RowError>,
) -> Result<T, RowError> {
    // Cached statements: `execute_batch` would parse each for every read.
    let control = |sql: &'static str| conn.prepare_cached(sql)?.execute([]).map(drop);
    control("BEGIN")?;
    let result = read(conn);
    let ended = control("COMMIT");
    if ended.is_err() && !conn.is_autocommit() {
        // Left open, the transaction would make every later BEGIN fail;
        // the error worth reporting is the first.
        let _ = control("ROLLBACK");
    }
    let value = result?;
    ended?;
    Ok(value)
}
