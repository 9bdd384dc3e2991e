//! [`Fault`]: why an operation failed, before it is told as a
//! [`StoreError`] naming the store and the operation.

use std::error::Error;
use std::fmt;

use deadpool_postgres::PoolError;

use crate::error::StoreError;

/// A failure of an operation of the store.
#[derive(Debug)]
pub(super) enum Fault {
    /// The store's rules refused it (a lost lease, a conflict, ...).
    Store(StoreError),
    /// The server or the connection failed.
    Sql(tokio_postgres::Error),
    /// No connection could be had from the pool.
    Pool(PoolError),
    /// A row holds what this crate never writes: what and where.
    Corrupt(String),
    /// The database is sound but this crate cannot use it: why.
    Unsupported(String),
}

impl From<StoreError> for Fault {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<tokio_postgres::Error> for Fault {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Sql(error)
    }
}

impl From<PoolError> for Fault {
    fn from(error: PoolError) -> Self {
        Self::Pool(error)
    }
}

impl Fault {
    /// The failure as a [`StoreError`] of `store`, in `operation`.
    pub fn at(self, store: &str, operation: &str) -> StoreError {
        let backend = |source: Box<dyn Error + Send + Sync>| StoreError::Backend {
            store: store.to_owned(),
            operation: operation.to_owned(),
            source,
        };
        match self {
            Self::Store(error) => error,
            Self::Sql(error) => backend(Box::new(Sql(error))),
            Self::Pool(error) => backend(Box::new(error)),
            Self::Unsupported(why) => backend(why.into()),
            Self::Corrupt(detail) => StoreError::Corrupt {
                store: store.to_owned(),
                detail: format!("{operation}: {detail}"),
            },
        }
    }
}

/// A PostgreSQL error that tells its cause too: tokio-postgres's own says
/// only "db error" of what the server answered.
#[derive(Debug)]
struct Sql(tokio_postgres::Error);

impl fmt::Display for Sql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        match self.0.source() {
            Some(cause) => write!(f, ": {cause}"),
            None => Ok(()),
        }
    }
}

impl Error for Sql {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}
