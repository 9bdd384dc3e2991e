//! `ctx.once`: which re-runs of an invocation get an effect's kept result
//! back, and which run the effect again.

use std::sync::Mutex;
use std::time::Duration;

use typed_workflows::prelude::*;
use typed_workflows::{HumanResponseEvent, InputRequiredEvent, RetryPolicy};

/// Records every call of its effects, by name.
#[derive(Default)]
struct Calls(Mutex<Vec<String>>);

impl Calls {
    async fn call(&self, name: &str) -> Result<String> {
        self.0.lock().unwrap().push(name.to_owned());
        Ok(format!("{name} done"))
    }

    fn made(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Two effects, one after the other and then two at once, before a wait.
#[derive(Default)]
struct Planner {
    calls: Calls,
}

#[workflow_impl]
impl Planner {
    #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
    async fn plan(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let first: String = ctx.once(self.calls.call("first")).await?;
        let (left, right) = tokio::join!(
            ctx.once(self.calls.call("left")),
            ctx.once(self.calls.call("right"))
        );
        let (left, right): (String, String) = (left?, right?);
        let answer = ctx
            .wait_for_event::<HumanResponseEvent>()
            .publishing(InputRequiredEvent {
                prefix: "go?".into(),
            })
            .await?;
        Ok(StopEvent::new(format!(
            "{first}, {left}, {right}: {}",
            answer.response
        )))
    }
}

#[tokio::test]
async fn a_resumed_invocation_gets_each_effect_back_in_its_order() {
    let runner = Planner::default().runner();
    let mut handler = runner.run(StartEvent::new());
    handler.stream_events().unwrap().next().await;
    let snapshot = handler.suspend().await.unwrap();
    let in_flight = &snapshot.in_flight[0];
    assert_eq!(
        in_flight.effects,
        vec![
            Some("first done".into()),
            Some("left done".into()),
            Some("right done".into())
        ]
    );

    let handler = runner.resume(snapshot).unwrap();
    handler
        .send_event(HumanResponseEvent {
            response: "yes".into(),
        })
        .unwrap();
    assert_eq!(
        handler.await.unwrap(),
        "first done, left done, right done: yes"
    );
    assert_eq!(runner.workflow().calls.made(), ["first", "left", "right"]);
}

#[tokio::test]
async fn a_kept_result_that_no_longer_reads_as_its_type_fails_the_step_by_name() {
    let runner = Planner::default().runner();
    let mut handler = runner.run(StartEvent::new());
    handler.stream_events().unwrap().next().await;
    let mut snapshot = handler.suspend().await.unwrap();
    snapshot.in_flight[0].effects[0] = Some(serde_json::json!(42));

    let error = anyhow::Error::from(runner.resume(snapshot).unwrap().await.unwrap_err());
    let message = format!("{error:#}");
    assert!(
        message.contains(
            "step `plan`: the result its effect #1 kept does not read as `alloc::string::String`"
        ),
        "{message}"
    );
}

/// A step whose first attempt fails after its effect.
#[derive(Default)]
struct Retried {
    calls: Calls,
}

const AGAIN: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(2);

#[workflow_impl]
impl Retried {
    #[step(retry = AGAIN)]
    async fn call(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let result: String = ctx
            .once(self.calls.call(&format!("attempt {}", ctx.attempt())))
            .await?;
        anyhow::ensure!(ctx.attempt() > 1, "the first attempt fails");
        Ok(StopEvent::new(result))
    }
}

#[tokio::test]
async fn a_retry_runs_the_effects_again() {
    let runner = Retried::default().runner();
    assert_eq!(
        runner.run(StartEvent::new()).await.unwrap(),
        "attempt 2 done"
    );
    assert_eq!(runner.workflow().calls.made(), ["attempt 1", "attempt 2"]);
}

/// A step that keeps no record of its invocations.
#[derive(Default)]
struct Plain {
    calls: Calls,
}

#[workflow_impl]
impl Plain {
    #[step]
    async fn call(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<String>> {
        let result: String = ctx.once(self.calls.call("plain")).await?;
        Ok(StopEvent::new(result))
    }
}

#[tokio::test]
async fn a_failing_effect_returns_its_error_and_a_plain_step_just_runs_its_effect() {
    let runner = Plain::default().runner();
    assert_eq!(runner.run(StartEvent::new()).await.unwrap(), "plain done");
    assert_eq!(runner.workflow().calls.made(), ["plain"]);

    struct Failing;
    #[workflow_impl]
    impl Failing {
        #[step]
        async fn call(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<StopEvent<u32>> {
            let value: u32 = ctx
                .once(async { Err::<u32, _>(std::io::Error::other("no network")) })
                .await?;
            Ok(StopEvent::new(value))
        }
    }
    let error = anyhow::Error::from(Failing.runner().run(StartEvent::new()).await.unwrap_err());
    assert!(format!("{error:#}").contains("no network"), "{error:#}");
}
