//! The conformance suite on [`SqliteStore`], each case in a file of its own.

use workflow_store::conformance::Fixture;
use workflow_store::{SqliteOptions, SqliteStore};

workflow_store::conformance_tests!(|clock| async move {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open_with(
        dir.path().join("runs.db"),
        SqliteOptions::new().clock(clock),
    )
    .expect("open");
    Fixture::keeping(store, dir)
});
