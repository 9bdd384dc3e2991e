"""LlamaIndex's own workflow server, serving the three workflows of the HTTP
server tests, as the reference peer of our server.

It serves, with `llama_agents.server.WorkflowServer` (in-memory store):

- `two_step`: start value `x` -> step `first` -> `Mid(x=x+1)` -> step `second`
  -> `StopEvent(result={"x": mid.x})`;
- `stream_n`: start values `n` and `delay_ms` (default 0); step `emit` writes
  `Tick(i=0..n-1)` to the stream, sleeping `delay_ms` between ticks, and
  returns `StopEvent(result={"n": n})`;
- `hitl`: step `ask` publishes `InputRequiredEvent(prefix="name?")`, waits for
  a `HumanResponseEvent` and returns `StopEvent(result={"response": ...})`.

Once it accepts connections it prints one line, `listening on http://HOST:PORT`
(with `--port 0` the port the system chose). It logs nothing per request, as
it is also the peer of the load benchmarks.

usage: python server_peer.py [--host 127.0.0.1] [--port 8000]
"""

import argparse
import asyncio
import sys

import uvicorn
from llama_agents.server import WorkflowServer
from workflows import Context, Workflow, step
from workflows.events import (
    Event,
    HumanResponseEvent,
    InputRequiredEvent,
    StartEvent,
    StopEvent,
)


class Mid(Event):
    x: int


class Tick(Event):
    i: int


class TwoStep(Workflow):
    @step
    async def first(self, ev: StartEvent) -> Mid:
        return Mid(x=int(ev.get("x")) + 1)

    @step
    async def second(self, ev: Mid) -> StopEvent:
        return StopEvent(result={"x": ev.x})


class StreamN(Workflow):
    @step
    async def emit(self, ctx: Context, ev: StartEvent) -> StopEvent:
        n = int(ev.get("n", 0))
        delay = float(ev.get("delay_ms", 0) or 0) / 1000.0
        for i in range(n):
            if i and delay:
                await asyncio.sleep(delay)
            ctx.write_event_to_stream(Tick(i=i))
        return StopEvent(result={"n": n})


class Hitl(Workflow):
    @step
    async def ask(self, ctx: Context, ev: StartEvent) -> StopEvent:
        # The runtime replays this step when the response arrives; the
        # waiter id keeps the InputRequiredEvent from being published twice.
        answer = await ctx.wait_for_event(
            HumanResponseEvent,
            waiter_event=InputRequiredEvent(prefix="name?"),
            waiter_id="name",
            timeout=None,
        )
        return StopEvent(result={"response": answer.response})


def build_server() -> WorkflowServer:
    server = WorkflowServer()
    server.add_workflow("two_step", TwoStep(timeout=None))
    server.add_workflow("stream_n", StreamN(timeout=None))
    # The events a step only waits for (ctx.wait_for_event) are not found from
    # the step signatures; registering them lets POST /events/{id} accept a
    # HumanResponseEvent by its type name.
    server.add_workflow(
        "hitl",
        Hitl(timeout=None),
        additional_events=[InputRequiredEvent, HumanResponseEvent],
    )
    return server


def keep_tasks_alive(loop: asyncio.AbstractEventLoop) -> None:
    """Holds every task of the loop until it is done.

    asyncio keeps only weak references to tasks. The server starts a run
    without keeping its task (`_ = workflow.run(...)`), and a run parked in
    `ctx.wait_for_event` is then reachable only through reference cycles, so
    the garbage collector can destroy it ("Task was destroyed but it is
    pending!"): the answer to the question is then lost and the run never
    ends. Seen with llama-agents-server 0.8.0 in about one hitl run in three
    here; holding the tasks prevents it.
    """
    alive: set[asyncio.Future] = set()

    def factory(loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        alive.add(task)
        task.add_done_callback(alive.discard)
        return task

    loop.set_task_factory(factory)


async def main() -> None:
    keep_tasks_alive(asyncio.get_running_loop())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    server = build_server()
    config = uvicorn.Config(
        server.app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
    )
    http = uvicorn.Server(config)
    serving = asyncio.create_task(http.serve())
    while not http.started:
        if serving.done():
            serving.result()  # raises why it could not start
            sys.exit("server_peer.py: the server stopped before it started")
        await asyncio.sleep(0.01)
    port = args.port
    for s in http.servers:
        for sock in s.sockets:
            port = sock.getsockname()[1]
    print(f"listening on http://{args.host}:{port}", flush=True)
    await serving


if __name__ == "__main__":
    asyncio.run(main())
