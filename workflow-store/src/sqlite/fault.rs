//! [`RowError`]: why reading or writing rows failed, before it is told as
//! a [`StoreError`] naming the store and the operation.

use crate::error::StoreError;

/// A failure below the store's rules.
#[derive(Debug)]
pub(super) enum RowError {
    /// SQLite failed.
    Sql(rusqlite::Error),
    /// A row failed its checksum or an integrity check: what and where.
    Corrupt(String),
    /// The file is sound but this crate cannot use it: why.
    Unsupported(String),
}

impl From<rusqlite::Error> for RowError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sql(error)
    }
}

impl RowError {
    /// The failure as a [`StoreError`] of `store`, in `operation`: damage
    /// that SQLite itself finds (a malformed file, a column of the wrong
    /// type) is [`Corrupt`](StoreError::Corrupt) too.
    pub fn at(self, store: &str, operation: &str) -> StoreError {
        match self {
            Self::Corrupt(detail) => StoreError::Corrupt {
                store: store.to_owned(),
                detail: format!("{operation}: {detail}"),
            },
            Self::Sql(error) if is_damage(&error) => StoreError::Corrupt {
                store: store.to_owned(),
                detail: format!("{operation}: {error}"),
            },
            Self::Sql(error) => StoreError::Backend {
                store: store.to_owned(),
                operation: operation.to_owned(),
                source: Box::new(error),
            },
            Self::Unsupported(why) => StoreError::Backend {
                store: store.to_owned(),
                operation: operation.to_owned(),
                source: why.into(),
            },
        }
    }
}

/// Whether SQLite's error means the file is damaged.
fn is_damage(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match error {
        rusqlite::Error::SqliteFailure(failure, _) => {
            matches!(failure.code, DatabaseCorrupt | NotADatabase)
        }
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => true,
        _ => false,
    }
}
