//! A durable runner as one of the workers that share a store:
//! [`Runner::work`].

use std::future::Future;
use std::pin::pin;
use std::time::{Duration, Instant};

use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio::sync::oneshot;
use workflow_model::RunId;
use workflow_store::{Change, Notice};

use super::live::{Here, Live};
use super::recover::{CLAIM_BATCH, RecoverError, Recovered};
use crate::control::Request;
use crate::run::Runner;
use crate::workflow::Workflow;

/// How often a worker looks for ready runs with no notice to wake it: a
/// parked run's timer falls due with none, and a store shared by
/// processes may not carry their notices.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// How long a worker waits before it looks again after its store failed,
/// at first and at most: the wait doubles while the store keeps failing
/// (a database restarting, say).
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MOST: Duration = Duration::from_secs(5);

/// What a worker did, once [`Runner::work`] returns.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Worked {
    /// How many runs it took up from the store.
    pub taken_up: usize,
    /// The ready runs it could not go on with, and why: those of another
    /// build of the workflow, say.
    pub left: Vec<(RunId, RecoverError)>,
    /// How many runs were still going when it stopped, and were suspended
    /// at their last record: another worker takes each up once its lease
    /// lapses.
    pub handed_back: usize,
}

impl<W: Workflow> Runner<W> {
    /// Works as one of the workers that share the runner's store until
    /// `shutdown` completes: takes up each ready run of this workflow and
    /// build (a run whose worker died, once its lease lapses; a parked run
    /// that input or a due timer wakes, its timeout among them) and goes on
    /// with it in this process, where it parks again when it only waits
    /// for input. It looks when the store notices a change (another
    /// process's, on a store that carries them) and every second.
    ///
    /// On `shutdown`, it waits up to `grace` for the runs it took up to
    /// park or end, then suspends those still going, at their last record,
    /// letting go of their leases: another worker takes each up at once.
    ///
    /// A store that fails (a database restarting, a network cut) does not
    /// stop the worker: it logs the error (a `tracing` warning) and looks
    /// again after a wait that doubles, from 0.1 s up to 5 s, while the
    /// store keeps failing.
    ///
    /// # Errors
    ///
    /// [`RecoverError::NotDurable`] for a runner without a store.
    pub async fn work(
        &self,
        shutdown: impl Future<Output = ()>,
        grace: Duration,
    ) -> Result<Worked, RecoverError> {
        let durability = self.durability().ok_or(RecoverError::NotDurable)?;
        let mut notices = durability.store.notices();
        let mut shutdown = pin!(shutdown);
        let mut worked = Worked::default();
        let mut held: Vec<RunId> = Vec::new();
        let mut retry = RETRY_FIRST;
        loop {
            let mut recovered = Recovered {
                resumed: Vec::new(),
                left: Vec::new(),
            };
            let looked = loop {
                match self.take_up_ready(&mut recovered).await {
                    Ok(CLAIM_BATCH) => {}
                    Ok(_) => break Ok(()),
                    Err(RecoverError::Store(error)) => break Err(error),
                    Err(error) => return Err(error),
                }
            };
            worked.taken_up += recovered.resumed.len();
            worked.left.extend(recovered.left);
            held.retain(|run| Live::is_live(*run));
            // Let go: each goes on, and parks when it only waits.
            held.extend(recovered.resumed.iter().map(|handler| handler.run_id()));
            drop(recovered.resumed);
            if let Err(error) = looked {
                tracing::warn!(%error, retry_in = ?retry, "a worker could not claim ready runs");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(retry) => {}
                }
                retry = (retry * 2).min(RETRY_MOST);
                continue;
            }
            retry = RETRY_FIRST;
            tokio::select! {
                () = &mut shutdown => break,
                () = readiness(&mut notices) => {}
                () = tokio::time::sleep(LOOK_EVERY) => {}
            }
        }
        worked.handed_back = hand_back(held, grace).await;
        Ok(worked)
    }
}

/// Waits for a notice that a run may have become ready (input arrived, or
/// its status changed), then takes every notice waiting, so that a burst
/// makes one look.
async fn readiness(notices: &mut broadcast::Receiver<Notice>) {
    loop {
        match notices.recv().await {
            Ok(notice)
                if matches!(
                    notice.what,
                    Change::Input | Change::Status | Change::Released
                ) =>
            {
                break;
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => break,
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
    while !matches!(
        notices.try_recv(),
        Err(TryRecvError::Empty | TryRecvError::Closed)
    ) {}
}

/// Waits up to `grace` for the runs of `held` to stop being live here
/// (parked or ended), then suspends those that are not: how many.
async fn hand_back(mut held: Vec<RunId>, grace: Duration) -> usize {
    let deadline = Instant::now() + grace;
    loop {
        held.retain(|run| Live::is_live(*run));
        let left = deadline.saturating_duration_since(Instant::now());
        if held.is_empty() || left.is_zero() {
            break;
        }
        let any_live = || held.iter().any(|run| Live::is_live(*run));
        let _ = tokio::time::timeout(left, Live::until_changed(any_live)).await;
    }
    // Asked all at once; a run ends with nothing more done once it has
    // answered (a run that ends first keeps its end).
    let mut answers = Vec::new();
    for run in held {
        if let Here::Live(Some(inlet)) = Live::here(run) {
            let (reply, answer) = oneshot::channel();
            if inlet.ask(Request::Suspend(reply)).is_ok() {
                answers.push(answer);
            }
        }
    }
    let mut suspended = 0;
    for answer in answers {
        if matches!(answer.await, Ok(Ok(_))) {
            suspended += 1;
        }
    }
    suspended
}
