//! Notices across processes: each store LISTENs on its schema's channel on
//! a connection of its own, turning what other stores wrote into
//! [`Notice`]s, and NOTIFYs there, on the same connection, after each of
//! its own writes commits. A store's own writes it announces itself, at
//! once; it skips their notifications.
//!
//! NOTIFY is not sent in the writing transaction: PostgreSQL serialises
//! the commits of notifying transactions under one lock, held across the
//! commit's WAL flush, so commits that notify cannot share a flush. Here
//! the notifications of the writes that committed meanwhile go out
//! together in a transaction of their own with `synchronous_commit` off
//! (a hint lost in a crash of the server is a hint lost), one at a time
//! and in the order of the writes.

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};
use workflow_model::RunId;

use crate::notice::{self, Change, Notice};

/// The letter a change is told by in a notification.
fn code(change: Change) -> char {
    match change {
        Change::Created => 'c',
        Change::Stream => 's',
        Change::Input => 'i',
        Change::Status => 'u',
        Change::Timer => 't',
        Change::Released => 'r',
    }
}

/// The change told by `letter`, if it is one this crate writes.
fn change(letter: char) -> Option<Change> {
    Some(match letter {
        'c' => Change::Created,
        's' => Change::Stream,
        'i' => Change::Input,
        'u' => Change::Status,
        't' => Change::Timer,
        'r' => Change::Released,
        _ => return None,
    })
}

/// The payloads that tell `notices`, one per run: the writing store's
/// `instance`, the run's id, and the letters of its changes.
pub(super) fn payloads(instance: &str, notices: &[Notice]) -> Vec<String> {
    let mut payloads: Vec<(RunId, String)> = Vec::new();
    for notice in notices {
        match payloads.iter_mut().find(|(run, _)| *run == notice.run) {
            Some((_, letters)) => letters.push(code(notice.what)),
            None => payloads.push((notice.run, code(notice.what).to_string())),
        }
    }
    payloads
        .into_iter()
        .map(|(run, letters)| format!("{instance} {run} {letters}"))
        .collect()
}

/// The notices a payload tells, unless the store `instance` wrote it (it
/// announced them itself) or it is not one this crate writes.
fn parse(payload: &str, instance: &str) -> Vec<Notice> {
    let mut parts = payload.split(' ');
    let (Some(writer), Some(run), Some(letters)) = (parts.next(), parts.next(), parts.next())
    else {
        return Vec::new();
    };
    let Ok(run) = run.parse::<RunId>() else {
        return Vec::new();
    };
    if writer == instance {
        return Vec::new();
    }
    letters
        .chars()
        .filter_map(change)
        .map(|what| Notice { run, what })
        .collect()
}

/// A task, aborted when this is dropped.
struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where notifications come from and go to.
#[derive(Clone)]
struct Ears {
    config: Config,
    channel: String,
    instance: String,
    notices: broadcast::Sender<Notice>,
}

impl Ears {
    /// A connection that listens on the channel: its client, and the task
    /// that reads its notifications, which ends when the connection does.
    async fn listen(&self) -> Result<(Client, Task), tokio_postgres::Error> {
        let (client, mut connection) = self.config.connect(NoTls).await?;
        let (instance, notices) = (self.instance.clone(), self.notices.clone());
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
                if let AsyncMessage::Notification(notification) = message {
                    notice::announce(&notices, parse(notification.payload(), &instance));
                }
            }
        });
        // The channel's name is checked (see schema::check_name): quoting
        // makes it exact, as `pg_notify` names it.
        client
            .batch_execute(&format!("LISTEN \"{}\"", self.channel))
            .await?;
        Ok((client, Task(reader)))
    }
}

/// The statement that notifies `channel` of `payloads` (which need no
/// quoting: ids, letters and the checked channel name).
fn notify_sql(channel: &str, payloads: &[String]) -> String {
    let mut sql = String::from("BEGIN; SET LOCAL synchronous_commit TO off;");
    for payload in payloads {
        sql.push_str(&format!(" SELECT pg_notify('{channel}', '{payload}');"));
    }
    sql.push_str(" COMMIT;");
    sql
}

/// The listening connection of a store, kept up until the store is
/// dropped, which also sends the store's notifications.
pub(super) struct Listener {
    outgoing: mpsc::UnboundedSender<Vec<String>>,
    instance: String,
    _task: Task,
}

impl Listener {
    /// Listens on `channel` of the server at `config` for what stores other
    /// than `instance` wrote, and announces it to `notices`. Returns once
    /// listening, so that every commit after it is heard; if the connection
    /// drops, it reconnects (waiting up to 5 s between attempts), and
    /// notices sent meanwhile are missed, as hints may be.
    pub async fn start(
        config: Config,
        channel: String,
        instance: String,
        notices: broadcast::Sender<Notice>,
    ) -> Result<Self, tokio_postgres::Error> {
        let ears = Ears {
            config,
            channel,
            instance,
            notices,
        };
        let first = ears.listen().await?;
        let (outgoing, mut queued) = mpsc::unbounded_channel::<Vec<String>>();
        let instance = ears.instance.clone();
        let task = tokio::spawn(async move {
            let (mut client, mut reader) = first;
            loop {
                tokio::select! {
                    // The reader ends when the connection does.
                    _ = &mut reader.0 => {
                        let mut wait = Duration::from_millis(100);
                        (client, reader) = loop {
                            tokio::time::sleep(wait).await;
                            match ears.listen().await {
                                Ok(listening) => break listening,
                                Err(_) => wait = (wait * 2).min(Duration::from_secs(5)),
                            }
                        };
                    }
                    Some(mut payloads) = queued.recv() => {
                        while let Ok(more) = queued.try_recv() {
                            payloads.extend(more);
                        }
                        // A failure is the connection's: the reader ends,
                        // and these hints are lost.
                        let _ = client.batch_execute(&notify_sql(&ears.channel, &payloads)).await;
                    }
                }
            }
        });
        Ok(Self {
            outgoing,
            instance,
            _task: Task(task),
        })
    }

    /// Tells the other stores of `notices`, which committed.
    pub fn notify(&self, notices: &[Notice]) {
        if !notices.is_empty() {
            // An error only means the task ended, with the store.
            let _ = self.outgoing.send(payloads(&self.instance, notices));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_back_and_skip_their_writer() {
        let (a, b) = (RunId::next(), RunId::next());
        let notices = [
            Notice {
                run: a,
                what: Change::Created,
            },
            Notice {
                run: b,
                what: Change::Status,
            },
            Notice {
                run: a,
                what: Change::Stream,
            },
        ];
        let payloads = payloads("me", &notices);
        assert_eq!(payloads.len(), 2);
        let heard: Vec<Notice> = payloads
            .iter()
            .flat_map(|payload| parse(payload, "other"))
            .collect();
        assert_eq!(heard, [notices[0], notices[2], notices[1]]);
        assert!(parse(&payloads[0], "me").is_empty());
        assert!(parse("garbage", "other").is_empty());
    }
}
