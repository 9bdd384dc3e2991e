//! Event-driven async workflows for Rust, with the event graph checked by
//! the compiler.
//!
//! A workflow is a set of async *steps*. Each step accepts one type of
//! [`Event`](trait@Event) and returns the next one; the
//! [`#[workflow_impl]`](macro@workflow_impl) macro reads the step
//! signatures, builds the routing table at compile time, and refuses to
//! compile a graph in which an event goes nowhere, a step can never run, or
//! no path leads to a [`StopEvent`]. A [`Runner`] runs the workflow on
//! tokio; the [`WorkflowHandler`] it returns streams what the steps publish
//! while you await the result. If you know
//! [LlamaIndex Workflows](https://github.com/run-llama/workflows-py), the
//! names are the ones you know; what LlamaIndex checks when a run starts is
//! checked here when your code compiles.
//!
//! In your `Cargo.toml`, the crate and tokio are all you need (serde,
//! anyhow and tokio-stream come with it):
//!
//! ```toml
//! [dependencies]
//! typed-workflows = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ```
//! use typed_workflows::prelude::*;
//!
//! #[event]
//! struct Greeting {
//!     text: String,
//! }
//!
//! struct Hello;
//!
//! #[workflow_impl]
//! impl Hello {
//!     #[step]
//!     async fn greet(&self, start: StartEvent) -> Result<Greeting> {
//!         let name: String = start.get("name")?;
//!         Ok(Greeting { text: format!("Hello, {name}!") })
//!     }
//!
//!     #[step(writes(Greeting))]
//!     async fn finish(&self, ctx: &Context<Self>, greeting: Greeting) -> StopEvent<String> {
//!         ctx.write_event_to_stream(greeting.clone());
//!         StopEvent::new(greeting.text)
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<()> {
//!     let result = Hello.runner().run(StartEvent::new().with("name", "Ishmael")).await?;
//!     assert_eq!(result, "Hello, Ishmael!");
//!     Ok(())
//! }
//! ```
//!
//! # Where to read on
//!
//! The [guide] walks through the whole crate, one runnable example per
//! topic:
//! [events and data](guide#events-and-data),
//! [steps](guide#steps),
//! [the context](guide#the-context),
//! [streaming](guide#streaming),
//! [human in the loop](guide#human-in-the-loop),
//! [state](guide#state),
//! [fan-out and collecting](guide#fan-out-and-collecting),
//! [retries, timeouts and recovery](guide#retries-timeouts-and-recovery),
//! [running](guide#running),
//! [what the compiler checks](guide#what-the-compiler-checks) and
//! [drawing a workflow](guide#drawing-a-workflow).
//!
//! The reference pages:
//!
//! | to | see |
//! |---|---|
//! | declare a workflow | [`#[workflow_impl]`](macro@workflow_impl), or [`workflow!`] |
//! | declare a step and its options | [`#[step(...)]`](macro@step) |
//! | declare events and data | [`#[event]`](macro@event), [`#[data]`](macro@data), [`#[derive(OneOf)]`](derive@OneOf) |
//! | send, write, wait and collect in a step | [`Context`], [`StepContext`] |
//! | start a run and read its result | [`Runner`], [`WorkflowHandler`], [`WorkflowError`] |
//! | share a run's state with the caller | [`State`] |
//! | retry a step | [`RetryPolicy`] |
//! | draw the graph or a run | [`graph`] |
//! | watch steps start and finish | [`observe`] |
//! | hear what runs report: logs, metrics | [`report`] |

#[doc = include_str!("guide.md")]
pub mod guide {}

/// Declares a workflow: the `impl` block of a type whose `#[step]` methods
/// react to events, in a function-like macro,
/// `workflow! { impl MyWorkflow { ... } }`.
///
/// It is the same macro as [`#[workflow_impl]`](macro@workflow_impl),
/// which reads better in an editor (rustfmt formats its body; Rust gives a
/// function-like and an attribute macro of one crate different names). The
/// options of the whole workflow go in a `#[workflow(...)]` attribute on
/// the `impl` block:
///
/// | option | meaning |
/// |---|---|
/// | `state = Type` | the [state](guide#state) each run carries: any `Default` type made serde data with [`#[data]`](macro@data); `()` when not given |
/// | `crate = path` | the path by which your crate reaches this one, for a crate that re-exports it (`crate = my_lib::workflows`) or renames it: the generated code then names everything through `path::__private`; `::typed_workflows` when not given |
///
/// Every method marked [`#[step]`](macro@step) becomes a step; other
/// methods and associated items stay as they are. The macro implements
/// [`Workflow`] for the type, so `MyWorkflow.runner()` gives a [`Runner`],
/// and checks the graph at compile time (see
/// [what the compiler checks](guide#what-the-compiler-checks)).
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[data]
/// #[derive(Default)]
/// struct Tally {
///     seen: u32,
/// }
///
/// #[event]
/// struct Counted {
///     n: u32,
/// }
///
/// struct Count;
///
/// workflow! {
///     #[workflow(state = Tally)]
///     impl Count {
///         #[step]
///         async fn count(&self, ctx: &Context<Self>, _start: StartEvent) -> Counted {
///             Counted { n: ctx.edit_state(|tally| { tally.seen += 1; tally.seen }) }
///         }
///
///         #[step]
///         async fn report(&self, counted: Counted) -> StopEvent<u32> {
///             StopEvent::new(counted.n)
///         }
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     assert_eq!(Count.runner().run(StartEvent::new()).await?, 1);
///     Ok(())
/// }
/// ```
pub use workflow_macros::workflow;

/// Declares a workflow on the `impl` block it is put on: a type whose
/// `#[step]` methods react to events.
///
/// Its arguments are the options of the whole workflow:
///
/// | option | meaning |
/// |---|---|
/// | `state = Type` | the [state](guide#state) each run carries: any `Default` type made serde data with [`#[data]`](macro@data); `()` when not given |
/// | `crate = path` | the path by which your crate reaches this one, for a crate that re-exports it (`crate = my_lib::workflows`) or renames it: the generated code then names everything through `path::__private`; `::typed_workflows` when not given |
///
/// Every method marked [`#[step]`](macro@step) becomes a step; other
/// methods and associated items stay as they are. The macro implements
/// [`Workflow`] for the type, so `MyWorkflow.runner()` gives a [`Runner`],
/// and checks the graph at compile time (see
/// [what the compiler checks](guide#what-the-compiler-checks)).
/// [`workflow!`] is the same macro in function-like form.
///
/// A public workflow needs public events: its start and stop types are
/// worked out from the events it uses, and rustc refuses a `pub` workflow
/// whose start or stop event is private (`error[E0446]`).
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[data]
/// #[derive(Default)]
/// struct Tally {
///     words: usize,
/// }
///
/// #[event]
/// struct Line {
///     text: String,
/// }
///
/// struct WordCount;
///
/// #[workflow_impl(state = Tally)]
/// impl WordCount {
///     #[step]
///     async fn read(&self, start: StartEvent) -> Result<Line> {
///         Ok(Line { text: start.get("text")? })
///     }
///
///     #[step]
///     async fn count(&self, ctx: &Context<Self>, line: Line) -> StopEvent<usize> {
///         let words = line.text.split_whitespace().count();
///         ctx.edit_state(|tally| tally.words += words);
///         StopEvent::new(ctx.read_state(|tally| tally.words))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     let start = StartEvent::new().with("text", "Call me Ishmael.");
///     assert_eq!(WordCount.runner().run(start).await?, 3);
///     Ok(())
/// }
/// ```
pub use workflow_macros::workflow_impl;

/// Marks a method of a [`#[workflow_impl]`](macro@workflow_impl) or
/// [`workflow!`] block as a step, with its options.
///
/// A step is an `async fn` that takes `&self`, optionally the context as
/// `ctx: &Context<Self>`, and one event by value (after the context). It
/// runs once for each event of that type. What it returns decides where the
/// run goes next:
///
/// | return type | effect |
/// |---|---|
/// | `E` or `Result<E>` | the event `E` goes to every step that accepts it |
/// | `StopEvent<T>` (or a [stop event](macro@event) of your own) | ends the run; awaiting the handler yields the `T` |
/// | an enum with [`#[derive(OneOf)]`](derive@OneOf) | one of several events |
/// | `Option<_>` of any of these | nothing, when `None` |
/// | `Vec<E>` | a fan-out: one branch per element (see [fan-out](guide#fan-out-and-collecting)) |
/// | `()` | nothing; the step sends through the context instead |
///
/// Any of them may be wrapped in `Result<_, E>` for an error `E` that
/// converts into [`anyhow::Error`]. A step may accept a `#[derive(OneOf)]`
/// enum, to run for an event of any of its variants' types, or a `Vec<E>`
/// to gather the events of a fan-out's branches.
///
/// # Options
///
/// | option | meaning | default |
/// |---|---|---|
/// | `sends(A, B, ..)` | the events the step sends with [`ctx.send_event`](StepContext::send_event) or [`send_event_to`](StepContext::send_event_to), any number of times; sending an undeclared type is a compile error | none |
/// | `writes(P, ..)` | the events the step writes to the caller's stream with [`ctx.write_event_to_stream`](StepContext::write_event_to_stream) or [`forward_to_stream`](StepContext::forward_to_stream); no step receives them | none |
/// | `waits_for(H, ..)` | the [`#[event(input)]`](macro@event) events the step awaits from the caller with [`ctx.wait_for_event`](StepContext::wait_for_event) | none |
/// | `num_workers = N` | at most `N` invocations of the step run at once within a run; `0` is a compile error | 4 |
/// | `spawn` | each invocation runs as a tokio task of its own, on the runtime's worker threads, for CPU-bound work; the signature stays the same | off: the run's steps share its task |
/// | `retry = POLICY` | try a failed invocation again with the same event, under a constant [`RetryPolicy`] | no retry |
/// | `timeout = DURATION` | bound each attempt by a constant [`Duration`](std::time::Duration); a slower attempt fails with [`StepTimedOut`] | none (the run's timeout still applies) |
/// | `catches(step, ..)` or `catches(*)` | the step handles the final failure of the named steps, or of every step no other step names; it takes a [`StepFailedEvent`] | none |
/// | `max_recoveries = N` | how many failures a catching step recovers from in one run before the run fails | 1 |
///
/// Options combine, in any order: `#[step(sends(Query), retry = ONCE_MORE,
/// num_workers = 8)]`. A misspelt option is a compile error that says
/// which one was meant.
///
/// # Examples
///
/// Sending many events, writing progress, and bounding the workers:
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Page {
///     number: u32,
/// }
///
/// #[event]
/// struct Progress {
///     done: u32,
/// }
///
/// struct Book;
///
/// #[workflow_impl]
/// impl Book {
///     #[step(sends(Page))]
///     async fn split(&self, ctx: &Context<Self>, _start: StartEvent) {
///         for number in 1..=5 {
///             ctx.send_event(Page { number });
///         }
///     }
///
///     #[step(num_workers = 2, writes(Progress))]
///     async fn read(&self, ctx: &Context<Self>, page: Page) -> Option<StopEvent<u32>> {
///         ctx.write_event_to_stream(Progress { done: page.number });
///         let pages = ctx.collect_events(page, 5)?;
///         Some(StopEvent::new(pages.iter().map(|page| page.number).sum()))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     assert_eq!(Book.runner().run(StartEvent::new()).await?, 15);
///     Ok(())
/// }
/// ```
///
/// Retrying, bounding each attempt, and catching the final failure:
///
/// ```
/// use std::time::Duration;
/// use typed_workflows::prelude::*;
/// use typed_workflows::anyhow::bail;
/// use typed_workflows::{RetryPolicy, StepFailedEvent};
///
/// const THREE_TIMES: RetryPolicy = RetryPolicy::fixed(Duration::ZERO).max_attempts(3);
///
/// struct Fetch;
///
/// #[workflow_impl]
/// impl Fetch {
///     #[step(retry = THREE_TIMES, timeout = Duration::from_secs(5))]
///     async fn fetch(&self, ctx: &Context<Self>, _: StartEvent) -> Result<StopEvent<String>> {
///         bail!("attempt {} found the server down", ctx.attempt())
///     }
///
///     #[step(catches(fetch), max_recoveries = 1)]
///     async fn from_cache(&self, failed: StepFailedEvent) -> StopEvent<String> {
///         let attempts = failed.attempts;
///         StopEvent::new(format!("cached, after {attempts} attempts: {}", failed.error))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     let result = Fetch.runner().run(StartEvent::new()).await?;
///     assert_eq!(result, "cached, after 3 attempts: attempt 3 found the server down");
///     Ok(())
/// }
/// ```
///
/// Waiting for the caller's answer (see
/// [human in the loop](guide#human-in-the-loop)), and running on a thread
/// of the pool:
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::{HumanResponseEvent, InputRequiredEvent};
///
/// #[event]
/// struct Name {
///     name: String,
/// }
///
/// struct Greeter;
///
/// #[workflow_impl]
/// impl Greeter {
///     #[step(waits_for(HumanResponseEvent), writes(InputRequiredEvent))]
///     async fn ask(&self, ctx: &Context<Self>, _start: StartEvent) -> Result<Name> {
///         let answer = ctx
///             .wait_for_event::<HumanResponseEvent>()
///             .publishing(InputRequiredEvent { prefix: "Your name? ".into() })
///             .await?;
///         Ok(Name { name: answer.response })
///     }
///
///     #[step(spawn)]
///     async fn shout(&self, name: Name) -> StopEvent<String> {
///         StopEvent::new(name.name.to_uppercase())
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     let mut handler = Greeter.runner().run(StartEvent::new());
///     let mut events = handler.stream_events()?;
///     while let Some(event) = events.next().await {
///         if event.is::<InputRequiredEvent>() {
///             handler.send_event(HumanResponseEvent { response: "Ada".into() })?;
///         }
///     }
///     assert_eq!(handler.await?, "ADA");
///     Ok(())
/// }
/// ```
pub use workflow_macros::step;

/// Makes a struct or enum an event: derives `Debug`, `Clone`, serde's
/// `Serialize` and `Deserialize`, and [`Event`](trait@Event).
///
/// A derive the type already has is left out (`#[event]
/// #[derive(PartialEq)]` is fine, and so is `#[derive(Clone)]` beside it).
/// serde is named through this crate, so serde's own attributes
/// (`#[serde(rename = "..")]`) work with no serde dependency in your crate.
/// The argument, if any, is the event's role:
///
/// | attribute | role |
/// |---|---|
/// | `#[event]` | an event steps return, send and accept |
/// | `#[event(start)]` | the workflow's own start event, in place of [`StartEvent`]: `runner.run(MyStart { .. })` |
/// | `#[event(stop)]` | the workflow's own stop event, in place of [`StopEvent`]: returning it ends the run, and awaiting the handler yields it |
/// | `#[event(outbound)]` | an event that may be returned with no step accepting it: it leaves through the caller's event stream |
/// | `#[event(input)]` | an event the caller sends into a live run with [`handler.send_event`](WorkflowHandler::send_event), as [`HumanResponseEvent`] |
///
/// `name = "..."`, alone or after the role (`#[event(name = "Ask")]`,
/// `#[event(input, name = "Ask")]`), sets the event's
/// [`NAME`](Event::NAME), which is otherwise the
/// type's name. A run records its events by that name, so an event that
/// keeps its name across a rename of its type still matches the runs stored
/// before. Two event types of one workflow cannot share a name: the
/// compiler says so at the step that uses the second, and a `name` on one of
/// them settles it.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event(start)]
/// struct Order {
///     item: String,
///     quantity: u32,
/// }
///
/// #[event(outbound)]
/// #[derive(PartialEq)]
/// struct Shipped {
///     #[serde(rename = "what")]
///     item: String,
/// }
///
/// #[event(stop)]
/// struct Receipt {
///     total: u32,
/// }
///
/// struct Shop;
///
/// #[workflow_impl]
/// impl Shop {
///     // No step accepts `Shipped`: being outbound, it goes to the caller.
///     #[step(sends(Shipped))]
///     async fn ship(&self, ctx: &Context<Self>, order: Order) -> Receipt {
///         ctx.send_event(Shipped { item: order.item.clone() });
///         Receipt { total: 3 * order.quantity }
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     let mut handler = Shop.runner().run(Order { item: "rope".into(), quantity: 2 });
///     let mut events = handler.stream_events()?;
///     let mut shipped = Vec::new();
///     while let Some(event) = events.next().await {
///         if let Some(event) = event.downcast_ref::<Shipped>() {
///             shipped.push(event.clone());
///         }
///     }
///     assert_eq!(shipped, [Shipped { item: "rope".into() }]);
///     let receipt: Receipt = handler.await?;
///     assert_eq!(receipt.total, 6);
///     Ok(())
/// }
/// ```
///
/// `crate = path` (`#[event(start, crate = my_lib::workflows)]`) is for a
/// crate that reaches this one by another path than `typed_workflows`, as
/// through a library that re-exports it: the generated code then names
/// everything through `path::__private`, serde too. The other macros take
/// the same option: [`#[workflow_impl(crate = path)]`](macro@workflow_impl),
/// `#[workflow(crate = path)]` inside [`workflow!`], `#[data(crate = path)]`,
/// and `#[one_of(crate = path)]` beside [`#[derive(OneOf)]`](derive@OneOf).
///
/// In a crate that depends on serde itself, the long spelling works too:
/// `#[derive(Debug, Clone, Serialize, Deserialize, Event)]`, with the role
/// in `#[event(...)]` beside it (see [`derive@Event`]).
///
pub use workflow_macros::event;

/// Makes a struct or enum serde data: derives `Serialize` and
/// `Deserialize`, with serde named through this crate, for a workflow's
/// [state](guide#state) or a type inside an event.
///
/// It takes one option, `#[data(crate = path)]`, for a crate that reaches
/// this one by another path, as [`#[event]`](macro@event) does; serde's own
/// attributes (`#[serde(default)]`,
/// `#[serde(rename = "..")]`) work beside it, and other derives go in a
/// `#[derive(...)]` of their own (a state needs `Default`).
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[data]
/// #[derive(Debug, Clone, PartialEq)]
/// enum Mood {
///     Calm,
///     Stormy,
/// }
///
/// #[event]
/// struct Weather {
///     mood: Mood,
/// }
///
/// #[data]
/// #[derive(Default)]
/// struct Log {
///     storms: u32,
/// }
///
/// struct Sea;
///
/// #[workflow_impl(state = Log)]
/// impl Sea {
///     #[step]
///     async fn look(&self, _start: StartEvent) -> Weather {
///         Weather { mood: Mood::Stormy }
///     }
///
///     #[step]
///     async fn log(&self, ctx: &Context<Self>, weather: Weather) -> StopEvent<u32> {
///         if weather.mood == Mood::Stormy {
///             ctx.edit_state(|log| log.storms += 1);
///         }
///         StopEvent::new(ctx.read_state(|log| log.storms))
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     assert_eq!(Sea.runner().run(StartEvent::new()).await?, 1);
///     Ok(())
/// }
/// ```
pub use workflow_macros::data;

/// Implements [`Event`](trait@Event) for a struct or enum that also
/// derives `Debug`, `Clone`, `Serialize` and `Deserialize`: the long
/// spelling of [`#[event]`](macro@event), for a crate that depends on
/// serde itself.
///
/// The role goes in an `#[event(...)]` attribute beside the derive:
/// `start`, `stop`, `outbound` or `input`, as listed under
/// [`#[event]`](macro@event), and so does a stable name:
/// `#[event(start, name = "Ask")]`. Without a serde dependency of your own, add
/// `#[serde(crate = "typed_workflows::serde")]`.
///
/// ```
/// use typed_workflows::prelude::*;
/// use typed_workflows::InputEvent;
///
/// #[derive(Debug, Clone, Serialize, Deserialize, Event)]
/// #[serde(crate = "typed_workflows::serde")]
/// #[event(input)]
/// struct Approval {
///     approved: bool,
/// }
///
/// fn sendable<E: InputEvent>() {}
/// sendable::<Approval>();
/// ```
pub use workflow_macros::Event;

/// Lets a step return one of several events, or accept any of several:
/// put it on an enum whose variants each carry one event.
///
/// In a crate that reaches this one by another path, say so in
/// `#[one_of(crate = path)]` beside the derive (see [`#[event]`](macro@event)).
///
/// A variant holds an event, an `Option` of one, or another `OneOf` enum,
/// whose events it then carries too. The derive writes `From` impls for
/// each variant's event, so `Odd { n }.into()` builds the enum. A step that
/// takes the enum runs for an event of any variant's type, handed to it in
/// that variant (LlamaIndex's `ev: A | B`); every variant counts in the
/// compile-time checks and in the drawn graph.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Even {
///     n: u64,
/// }
///
/// #[event]
/// struct Odd {
///     n: u64,
/// }
///
/// #[derive(OneOf)]
/// enum Next {
///     Even(Even),
///     Odd(Odd),
///     Done(StopEvent<u32>),
/// }
///
/// #[derive(OneOf)]
/// enum Number {
///     Even(Even),
///     Odd(Odd),
/// }
///
/// // The Collatz sequence: how many steps from `n` down to 1.
/// struct Collatz;
///
/// #[workflow_impl(state = u32)]
/// impl Collatz {
///     #[step]
///     async fn begin(&self, start: StartEvent) -> Result<Next> {
///         Ok(Collatz::next(start.get("n")?, 0))
///     }
///
///     #[step]
///     async fn hop(&self, ctx: &Context<Self>, number: Number) -> Next {
///         let hops = ctx.edit_state(|hops| { *hops += 1; *hops });
///         match number {
///             Number::Even(Even { n }) => Collatz::next(n / 2, hops),
///             Number::Odd(Odd { n }) => Collatz::next(3 * n + 1, hops),
///         }
///     }
/// }
///
/// impl Collatz {
///     fn next(n: u64, hops: u32) -> Next {
///         match n {
///             1 => StopEvent::new(hops).into(),
///             n if n % 2 == 0 => Even { n }.into(),
///             n => Odd { n }.into(),
///         }
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     assert_eq!(Collatz.runner().run(StartEvent::new().with("n", 6)).await?, 8);
///     Ok(())
/// }
/// ```
pub use workflow_macros::OneOf;

pub use workflow_runtime::*;

/// The drawings of a workflow: its graph as Mermaid, DOT, SVG or an HTML
/// page, and what one run did over it. The `workflow-drawing` crate,
/// behind the `drawing` feature (on by default).
#[cfg(feature = "drawing")]
#[doc(inline)]
pub use workflow_drawing as graph;

/// Where durable runs are recorded (see [`durable`]): the [`Store`](store::Store)
/// interface, [`MemoryStore`](store::MemoryStore), and with the `sqlite`
/// feature (on by default) `SqliteStore`, the embedded store in one file;
/// with the `postgres` feature `PostgresStore`, a database many processes
/// share.
/// The `workflow-store` crate.
#[doc(inline)]
pub use workflow_store as store;

/// The HTTP server of workflows (the `server` feature): LlamaIndex's
/// workflow server protocol, live event streams and a debugger page.
#[cfg(feature = "server")]
#[doc(inline)]
pub use workflow_server as server;

/// [`anyhow`], the error type of steps, re-exported so that a program
/// needs no dependency of its own on it: `Result` in the prelude is its
/// `Result`, and `typed_workflows::anyhow::bail!` its macro.
pub use anyhow;

/// What the macros' code names, all through this one path (see
/// `workflow_runtime::__private`), with the `Event` derive beside the
/// trait for `#[event]`'s `#[derive(...)]`. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use workflow_macros::Event;
    pub use workflow_runtime::__private::*;
}

/// serde, for `#[serde(crate = "typed_workflows::serde")]`: `#[event]` and
/// `#[data]` derive serde's traits with no serde dependency in your crate,
/// and a type that derives them itself without one names this path. Hidden
/// from the docs, as rustc would otherwise print `std::option::Option` for
/// `Option` in the messages of every program that uses this crate; serde's
/// traits are in the [prelude](crate::prelude).
#[doc(hidden)]
pub mod serde {
    pub use ::serde::*;
}

/// [`tokio_stream`], re-exported: a handler's events are a tokio stream, read
/// with its [`StreamExt`](tokio_stream::StreamExt) (in the prelude).
pub use tokio_stream;

/// Everything a workflow definition and its caller usually need, in one
/// `use typed_workflows::prelude::*`: the macros, the start and stop
/// events, the context, the runner and its handler, anyhow's `Result`,
/// serde's traits and the stream's `StreamExt`.
///
/// ```
/// use typed_workflows::prelude::*;
///
/// #[event]
/// struct Ping;
///
/// struct Pong;
///
/// #[workflow_impl]
/// impl Pong {
///     #[step]
///     async fn ping(&self, _start: StartEvent) -> Ping {
///         Ping
///     }
///
///     #[step]
///     async fn pong(&self, _ping: Ping) -> StopEvent<String> {
///         StopEvent::new("pong".into())
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<()> {
///     assert_eq!(Pong.runner().run(StartEvent::new()).await?, "pong");
///     Ok(())
/// }
/// ```
pub mod prelude {
    pub use crate::{
        AnyEvent, Blueprint, Context, Event, OneOf, Runner, StartEvent, StepContext, StopEvent,
        Workflow, WorkflowError, WorkflowHandler, data, event, step, workflow, workflow_impl,
    };
    pub use anyhow::Result;
    pub use serde::{Deserialize, Serialize};
    pub use tokio_stream::StreamExt;
}

/// The README's code blocks, compiled and run as doctests so that they stay
/// true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
