//! The conformance suite on [`MemoryStore`].

use workflow_store::MemoryStore;
use workflow_store::conformance::Fixture;

workflow_store::conformance_tests!(
    |clock| async move { Fixture::new(MemoryStore::with_clock(clock)) }
);
