//! The errand the kill tests run, in the workers they kill
//! (`tests/crash/worker.rs`, `tests/pg_kill/worker.rs`) and in the tests
//! themselves: a plan with a paid call recorded once, a fan-out to
//! workers, a retried check, and a question for a person. Each side effect
//! is a line of a log that every process of a test appends to.

#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use typed_workflows::anyhow;
use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RetryPolicy};

/// What a person answers an errand's question with.
pub const ANSWER: &str = "7";

/// The side effects of one process, in the order they happened: lines
/// `TAG E RUN STEP` (a step began), `TAG O RUN` (the effect recorded once
/// ran) and `TAG A RUN` (the step went on past it).
pub struct Log {
    file: Mutex<File>,
    tag: String,
    echo: bool,
}

impl Log {
    /// Appends to the log at `path`, each line tagged with `tag` (which
    /// holds no space); `echo` prints each line too, for a test that
    /// counts them.
    pub fn open(path: &Path, tag: String, echo: bool) -> std::io::Result<Self> {
        Ok(Self {
            file: Mutex::new(OpenOptions::new().create(true).append(true).open(path)?),
            tag,
            echo,
        })
    }

    /// Appends `what` to the log, in one `write` (the file is opened to
    /// append, so the lines of processes that share it do not mix), and
    /// prints it if asked to.
    pub fn note(&self, what: &str) {
        let line = format!("{} {what}\n", self.tag);
        let mut file = self.file.lock().unwrap();
        let written = file.write(line.as_bytes()).unwrap();
        assert_eq!(written, line.len(), "a line of the log is written whole");
        if self.echo {
            print!("{line}");
            std::io::stdout().flush().unwrap();
        }
    }
}

#[event]
pub struct Planned {
    run: u64,
}

#[event]
pub struct Part {
    run: u64,
    part: u64,
}

#[event]
pub struct PartDone {
    run: u64,
    value: u64,
}

#[event]
pub struct Gathered {
    run: u64,
    total: u64,
}

#[event]
pub struct Approved {
    run: u64,
    total: u64,
}

/// What a step writes to the stream as it goes.
#[event]
pub struct Progress {
    run: u64,
    step: String,
}

/// One errand: a plan (with a paid call recorded once), a fan-out to
/// workers, a retried check, and a question for a person.
pub struct Errand {
    pub log: Log,
}

const ONCE_MORE: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(3);

#[workflow_impl]
impl Errand {
    #[step(writes(Progress))]
    async fn plan(&self, ctx: &Context<Self>, start: StartEvent) -> Result<Planned> {
        let run: u64 = start.get("run")?;
        self.log.note(&format!("E {run} plan"));
        let plan: u64 = ctx
            .once(async {
                self.log.note(&format!("O {run}"));
                Ok::<_, std::io::Error>(run)
            })
            .await?;
        self.log.note(&format!("A {run}"));
        ctx.write_event_to_stream(Progress {
            run,
            step: "plan".into(),
        });
        Ok(Planned { run: plan })
    }

    #[step]
    async fn split(&self, planned: Planned) -> Vec<Part> {
        self.log.note(&format!("E {} split", planned.run));
        (0..3)
            .map(|part| Part {
                run: planned.run,
                part,
            })
            .collect()
    }

    #[step(num_workers = 2, writes(Progress))]
    async fn work(&self, ctx: &Context<Self>, part: Part) -> PartDone {
        self.log.note(&format!("E {} work{}", part.run, part.part));
        tokio::task::yield_now().await;
        ctx.write_event_to_stream(Progress {
            run: part.run,
            step: format!("work{}", part.part),
        });
        PartDone {
            run: part.run,
            value: part.run * 10 + part.part,
        }
    }

    #[step]
    async fn gather(&self, done: Vec<PartDone>) -> Gathered {
        let run = done[0].run;
        self.log.note(&format!("E {run} gather"));
        Gathered {
            run,
            total: done.iter().map(|part| part.value).sum(),
        }
    }

    #[step(retry = ONCE_MORE)]
    async fn check(&self, ctx: &Context<Self>, gathered: Gathered) -> Result<Approved> {
        self.log.note(&format!("E {} check", gathered.run));
        anyhow::ensure!(ctx.attempt() > 1, "the first check fails");
        Ok(Approved {
            run: gathered.run,
            total: gathered.total,
        })
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, approved: Approved) -> Result<StopEvent<u64>> {
        self.log.note(&format!("E {} ask", approved.run));
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: format!("run {}?", approved.run),
            })
            .await?;
        Ok(StopEvent::new(
            approved.total + answer.response.parse::<u64>()?,
        ))
    }
}
