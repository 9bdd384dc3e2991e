//! Every macro, under `crate = my_lib::wf`, in a crate where
//! `::typed_workflows` names nothing: `#[event]`, `#[derive(Event)]`,
//! `#[data]`, `#[derive(OneOf)]`, `#[workflow_impl]` and `workflow!`, with
//! the options whose generated code names the most of the runtime (state,
//! `sends`, `writes`, `waits_for`, `retry`, `timeout`, `catches`, `spawn`,
//! a fan-out and its gathering).

use std::time::Duration;

use typed_workflows_reexport as my_lib;

use my_lib::wf::prelude::*;
use my_lib::wf::{HumanResponseEvent, InputRequiredEvent, RetryPolicy, StepFailedEvent};

#[event(start, crate = my_lib::wf)]
struct Begin {
    jobs: u32,
}

#[event(crate = my_lib::wf, name = "Work")]
struct Job {
    n: u32,
}

#[event(crate = my_lib::wf)]
struct Done {
    n: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
#[serde(crate = "my_lib::wf::serde")]
#[event(outbound, crate = my_lib::wf)]
struct Progress {
    done: u32,
}

#[event(crate = my_lib::wf)]
struct Tally {
    total: u32,
}

#[event(stop, crate = my_lib::wf)]
struct Finished {
    total: u32,
    answer: String,
}

#[data(crate = my_lib::wf)]
#[derive(Default)]
struct Counts {
    jobs: u32,
}

#[derive(OneOf)]
#[one_of(crate = my_lib::wf)]
enum Next {
    Asked(Tally),
    Failed(Finished),
}

struct Pipeline;

#[workflow_impl(state = Counts, crate = my_lib::wf)]
impl Pipeline {
    #[step]
    async fn split(&self, begin: Begin) -> Vec<Job> {
        (1..=begin.jobs).map(|n| Job { n }).collect()
    }

    #[step(
        spawn,
        retry = RetryPolicy::fixed(Duration::from_millis(1)).max_attempts(3),
        timeout = Duration::from_secs(5)
    )]
    async fn work(&self, ctx: &Context<Self>, job: Job) -> Done {
        ctx.edit_state(|counts| counts.jobs += 1);
        Done { n: job.n * 10 }
    }

    #[step(writes(Progress), sends(Tally))]
    async fn gather(&self, ctx: &Context<Self>, done: Vec<Done>) -> Result<()> {
        ctx.write_event_to_stream(Progress {
            done: done.len() as u32,
        });
        ctx.send_event(Tally {
            total: done.iter().map(|done| done.n).sum(),
        });
        Ok(())
    }

    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn ask(&self, ctx: &Context<Self>, tally: Tally) -> Result<Finished> {
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "why? ".into(),
            })
            .await?;
        Ok(Finished {
            total: tally.total,
            answer: answer.response,
        })
    }

    #[step(catches(work))]
    async fn recover(&self, failed: StepFailedEvent) -> Next {
        Next::Failed(Finished {
            total: 0,
            answer: failed.error,
        })
    }
}

#[tokio::test]
async fn a_workflow_through_a_re_export_runs() {
    let state = my_lib::wf::State::new(Counts::default());
    let mut handler = Pipeline
        .runner()
        .run_with_state(Begin { jobs: 3 }, state.clone());
    let mut events = handler.stream_events().unwrap();
    let mut progress = Vec::new();
    while let Some(event) = events.next().await {
        if event.is::<InputRequiredEvent>() {
            handler
                .send_event(HumanResponseEvent {
                    response: "because".into(),
                })
                .unwrap();
        } else if let Some(event) = event.downcast_ref::<Progress>() {
            progress.push(event.done);
        }
    }
    let finished = handler.await.unwrap();
    assert_eq!((finished.total, finished.answer.as_str()), (60, "because"));
    assert_eq!(progress, [3]);
    assert_eq!(state.read(|counts| counts.jobs), 3);
    assert_eq!(<Job as Event>::NAME, "Work");
}

struct Echo;

workflow! {
    #[workflow(crate = my_lib::wf)]
    impl Echo {
        #[step]
        async fn echo(&self, _start: StartEvent) -> StopEvent<String> {
            StopEvent::new("echo".to_owned())
        }
    }
}

#[tokio::test]
async fn workflow_takes_the_path_in_its_workflow_attribute() {
    assert_eq!(Echo.runner().run(StartEvent::new()).await.unwrap(), "echo");
}
