//! A process, as the tests of durable runs play one.

/// A runtime of its own, to play a process with: dropping it while a run
/// waits ends the run's task without a word to the store, as SIGKILL would.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
