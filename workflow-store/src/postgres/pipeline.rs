//! Transactions whose statements go to the server together: a write is
//! `BEGIN` and the lock of the run's row in one round trip, then, once
//! the store's rules held, its writes and `COMMIT` in one more, where a
//! statement at a time took six round trips. On a loopback connection to
//! a busy server each round trip is a wake-up of the server's process and
//! of ours: fewer of them is less CPU on both sides, and less time each
//! row is locked.
//!
//! tokio-postgres sends a statement when its future is first polled and
//! matches the answers in order, so futures polled together are one
//! pipeline. After a failed statement the server skips the rest of the
//! transaction, and the `COMMIT` that ends it rolls it back: the first
//! failure is the write's.

use std::future::{Future, poll_fn};
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use deadpool_postgres::{ClientWrapper, Object};
use tokio_postgres::Row;

use super::fault::Fault;

/// A statement of a pipeline, and the rows it answers (none for one that
/// returns none).
pub(super) type Step<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send + 'a>>;

/// A pooled connection, perhaps in a transaction begun here: if it is
/// dropped in one (its write cancelled, or its `COMMIT` lost with the
/// connection), the connection is closed rather than pooled, and the
/// server rolls the transaction back.
pub(super) struct Pipelined {
    client: Option<Object>,
    open: AtomicBool,
}

impl Pipelined {
    pub fn new(client: Object) -> Self {
        Self {
            client: Some(client),
            open: AtomicBool::new(false),
        }
    }

    /// `BEGIN`, then `first`, in one round trip: `first`'s answer.
    pub async fn begin_with<'a>(&'a self, first: Step<'a>) -> Result<Vec<Row>, Fault> {
        self.open.store(true, Ordering::Relaxed);
        let begin: Step<'a> = Box::pin(async move {
            self.batch_execute("BEGIN").await?;
            Ok(Vec::new())
        });
        let mut answers = join_all(vec![begin, first]).await.into_iter();
        // A failed BEGIN fails the write, whatever `first` did alone.
        answers.next().expect("BEGIN's answer")?;
        Ok(answers.next().expect("the first statement's answer")?)
    }

    /// `steps`, then `COMMIT`, in one round trip: their answers, or the
    /// first failure, after which nothing was committed.
    pub async fn commit_with<'a>(
        &'a self,
        mut steps: Vec<Step<'a>>,
    ) -> Result<Vec<Vec<Row>>, Fault> {
        steps.push(Box::pin(async move {
            self.batch_execute("COMMIT").await?;
            Ok(Vec::new())
        }));
        let mut answers = join_all(steps).await;
        let commit = answers.pop().expect("COMMIT's answer");
        // Whether it committed or rolled back, the transaction ended once
        // COMMIT was answered; if it was not, the connection goes.
        self.open.store(commit.is_err(), Ordering::Relaxed);
        let answers = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
        commit?;
        Ok(answers)
    }

    /// Ends the transaction without writing: the store's rules refused the
    /// write.
    pub async fn rollback(&self) {
        if self.batch_execute("ROLLBACK").await.is_ok() {
            self.open.store(false, Ordering::Relaxed);
        }
    }
}

impl Deref for Pipelined {
    type Target = ClientWrapper;

    fn deref(&self) -> &ClientWrapper {
        self.client.as_ref().expect("a connection until dropped")
    }
}

impl Drop for Pipelined {
    fn drop(&mut self) {
        if self.open.load(Ordering::Relaxed)
            && let Some(client) = self.client.take()
        {
            drop(Object::take(client));
        }
    }
}

/// Polls `futures` together, in order, until all are done: their outputs,
/// in order.
async fn join_all<T>(futures: Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> Vec<T> {
    let mut pending: Vec<_> = futures.into_iter().map(Some).collect();
    let mut done: Vec<Option<T>> = pending.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut waiting = false;
        for (slot, out) in pending.iter_mut().zip(done.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *out = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    done.into_iter()
        .map(|value| value.expect("every future is done"))
        .collect()
}
