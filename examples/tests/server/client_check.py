"""Drives a workflow server with LlamaIndex's official Python client
(`llama-agents-client`, public API only) and checks every answer.

The server must serve the three workflows of benches/peer/server_peer.py:
`two_step` (x -> {"x": x + 1}), `stream_n` (n ticks, optional delay_ms, ->
{"n": n}) and `hitl` (asks "name?", -> {"response": <answer>}).

usage:
  client_check.py --url URL                  checks a to i, one line each
  client_check.py --url URL start-hitl       starts a hitl run, waits for its
                                             question, prints `handler <id>`
                                             and `seq <last sequence id>`
  client_check.py --url URL answer-hitl ID   answers "Ada" to that run and
                                             prints `result <its result>`

Exits 0 when everything passed; otherwise prints `FAIL <check>: <why>` to
stderr and exits 1 at the first failure.
"""

import argparse
import asyncio
import json
import sys
from typing import Any

import httpx
from llama_agents.client import EventEnvelopeWithMetadata, HandlerData, WorkflowClient
from workflows.events import (
    Event,
    HumanResponseEvent,
    InputRequiredEvent,
    StartEvent,
    StopEvent,
)

# How long one check may take before it fails as hung.
CHECK_TIMEOUT = 30.0
WORKFLOWS = ("two_step", "stream_n", "hitl")


class Tick(Event):
    """The client-side twin of the server's stream event. The server names it
    `__main__.Tick`, which this program cannot import, so it is decoded by
    its type name through a registry."""

    i: int


class CheckFailed(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def result_of(handler: HandlerData) -> Any:
    """The `result` of a handler's StopEvent, decoded the client's way."""
    expect(handler.result is not None, f"handler {handler.handler_id} has no result")
    expect(
        handler.result.type == "StopEvent",
        f"result type is {handler.result.type!r}, not 'StopEvent'",
    )
    # No registry: the client resolves the class from `qualified_name`, so the
    # server must name it `workflows.events.StopEvent`.
    stop = handler.result.load_event()
    expect(isinstance(stop, StopEvent), f"result decoded to {type(stop).__name__}")
    return stop.result


def decode(envelope: EventEnvelopeWithMetadata) -> Event:
    """A streamed event as an object: framework events (StopEvent,
    InputRequiredEvent, ...) and Tick, looked up by the envelope's `type`."""
    return envelope.load_event(registry=[Tick])


class Events:
    """An EventStream read in several parts. The stream can be iterated only
    once, and dropping its iterator closes it, so the iterator is kept."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self._events = aiter(stream)

    async def collect(self, until=None) -> list[tuple[Any, EventEnvelopeWithMetadata]]:
        """(sequence, envelope) pairs, to the stream's end or through the
        first envelope for which `until` holds."""
        seen = []
        while True:
            try:
                envelope = await anext(self._events)
            except StopAsyncIteration:
                return seen
            seen.append((self.stream.last_sequence, envelope))
            if until is not None and until(envelope):
                return seen

    async def close(self) -> None:
        await self.stream.aclose()


async def handler_status(client: WorkflowClient, handler_id: str) -> HandlerData:
    """The handler record, whatever its status. The client's get_handler
    raises for the 500 a failed or cancelled handler is answered with; the
    record is the body of that answer."""
    try:
        return await client.get_handler(handler_id)
    except httpx.HTTPStatusError as e:
        expect(
            e.response.status_code == 500,
            f"GET /handlers/{handler_id} answered {e.response.status_code}: "
            f"{e.response.text[:200]}",
        )
        return HandlerData.model_validate(e.response.json())


async def wait_terminal(
    client: WorkflowClient, handler_id: str, within: float = 20.0
) -> HandlerData:
    """Polls the handler until it is no longer running. (The client's own
    wait_for_handler raises on the 500 of a cancelled or failed handler.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        handler = await handler_status(client, handler_id)
        if handler.status != "running":
            return handler
        if loop.time() > deadline:
            raise CheckFailed(f"handler {handler_id} still running after {within:.0f} s")
        await asyncio.sleep(0.01)


async def start_hitl_until_question(client: WorkflowClient):
    handler = await client.run_workflow_nowait("hitl")
    expect(handler.status == "running", f"new hitl run is {handler.status!r}")
    stream = Events(client.get_workflow_events(handler.handler_id))
    seen = await stream.collect(until=lambda e: e.type == "InputRequiredEvent")
    expect(
        bool(seen) and seen[-1][1].type == "InputRequiredEvent",
        f"stream ended without an InputRequiredEvent: {[e.type for _, e in seen]}",
    )
    question = decode(seen[-1][1])
    expect(
        isinstance(question, InputRequiredEvent),
        f"InputRequiredEvent decoded to {type(question).__name__}",
    )
    expect(
        question.get("prefix") == "name?",
        f"question prefix is {question.get('prefix')!r}",
    )
    return handler, stream, seen


# The checks, in order. Each returns the line printed when it passed.


async def check_health(client: WorkflowClient, state: dict) -> str:
    health = await client.is_healthy()
    expect(health.status == "healthy", f"status is {health.status!r}")
    return "health: healthy"


async def check_list(client: WorkflowClient, state: dict) -> str:
    names = (await client.list_workflows()).workflows
    missing = [w for w in WORKFLOWS if w not in names]
    expect(not missing, f"missing {missing} in {names}")
    return f"list workflows: {names}"


async def check_schemas(client: WorkflowClient, state: dict) -> str:
    expected_events = {
        "two_step": {"StartEvent", "Mid", "StopEvent"},
        "stream_n": {"StartEvent", "StopEvent"},
        "hitl": {"StartEvent", "StopEvent"},
    }
    for name in WORKFLOWS:
        schema = await client.get_workflow_schema(name)
        expect(
            schema.start.get("title") == "StartEvent",
            f"{name}: start schema title {schema.start.get('title')!r}",
        )
        expect(
            schema.stop.get("title") == "StopEvent",
            f"{name}: stop schema title {schema.stop.get('title')!r}",
        )
        events = await client.get_workflow_events_schema(name)
        titles = {e.get("title") for e in events.events}
        expect(
            expected_events[name] <= titles,
            f"{name}: events {sorted(titles)} lack {sorted(expected_events[name] - titles)}",
        )
    mid = next(
        e
        for e in (await client.get_workflow_events_schema("two_step")).events
        if e.get("title") == "Mid"
    )
    expect(
        mid.get("properties", {}).get("x", {}).get("type") == "integer",
        f"two_step: Mid schema {mid}",
    )
    graphs = {
        "two_step": (
            {"first", "second", "StartEvent", "Mid", "StopEvent"},
            {
                ("StartEvent", "first"),
                ("first", "Mid"),
                ("Mid", "second"),
                ("second", "StopEvent"),
            },
        ),
        "hitl": (
            {"ask", "StartEvent", "StopEvent"},
            {("StartEvent", "ask"), ("ask", "StopEvent")},
        ),
    }
    for name, (nodes, edges) in graphs.items():
        graph = (await client.get_workflow_graph(name)).graph
        ids = {n.id for n in graph.nodes}
        expect(nodes <= ids, f"{name}: graph nodes {sorted(ids)} lack {sorted(nodes - ids)}")
        pairs = {(e.source, e.target) for e in graph.edges}
        expect(edges <= pairs, f"{name}: graph edges {sorted(pairs)} lack {sorted(edges - pairs)}")
        event_nodes = {n.id: n for n in graph.nodes if n.node_type == "event"}
        for event in nodes & {"StartEvent", "Mid", "StopEvent"}:
            expect(event in event_nodes, f"{name}: {event} is not an event node")
            expect(
                event_nodes[event].event_type == event,
                f"{name}: node {event} has event_type {event_nodes[event].event_type!r}",
            )
    return "schemas, event schemas and graphs: two_step, stream_n, hitl"


async def check_run(client: WorkflowClient, state: dict) -> str:
    handler = await client.run_workflow("two_step", start_event=StartEvent(x=41))
    expect(handler.status == "completed", f"status {handler.status!r}, error {handler.error!r}")
    expect(handler.workflow_name == "two_step", f"workflow_name {handler.workflow_name!r}")
    result = result_of(handler)
    expect(result == {"x": 42}, f"result {result!r}")
    return f"run two_step x=41: {json.dumps(result)}"


async def check_stream(client: WorkflowClient, state: dict) -> str:
    handler = await client.run_workflow_nowait("stream_n", start_event=StartEvent(n=3))
    stream = Events(client.get_workflow_events(handler.handler_id))
    events = [decode(e) for _, e in await stream.collect()]
    names = [type(e).__name__ for e in events]
    expect(len(events) == 4, f"expected 3 Tick and a StopEvent, got {names}")
    for i, tick in enumerate(events[:3]):
        expect(isinstance(tick, Tick) and tick.i == i, f"event {i} is {tick!r}")
    stop = events[3]
    expect(isinstance(stop, StopEvent), f"last event is {names[3]}")
    expect(stop.result == {"n": 3}, f"stop result {stop.result!r}")
    return 'stream stream_n n=3: Tick 0, 1, 2, StopEvent {"n": 3}'


async def check_hitl(client: WorkflowClient, state: dict) -> str:
    handler, stream, _ = await start_hitl_until_question(client)
    sent = await client.send_event(handler.handler_id, HumanResponseEvent(response="Ada"))
    expect(sent.status == "sent", f"send_event answered {sent.status!r}")
    rest = [decode(e) for _, e in await stream.collect()]
    expect(
        bool(rest) and isinstance(rest[-1], StopEvent),
        f"after the answer the stream held {[type(e).__name__ for e in rest]}",
    )
    expect(rest[-1].result == {"response": "Ada"}, f"streamed result {rest[-1].result!r}")
    done = await client.wait_for_handler(handler.handler_id, timeout=10, poll_interval=0.01)
    expect(done.status == "completed", f"handler status {done.status!r}")
    result = result_of(done)
    expect(result == {"response": "Ada"}, f"handler result {result!r}")
    state["completed_hitl"] = handler.handler_id
    return 'hitl: asked "name?", answered "Ada", completed with {"response": "Ada"}'


async def check_cancel(client: WorkflowClient, state: dict) -> str:
    handler = await client.run_workflow_nowait("hitl")
    cancelled = await client.cancel_handler(handler.handler_id)
    expect(cancelled.status == "cancelled", f"cancel answered {cancelled.status!r}")
    record = await wait_terminal(client, handler.handler_id)
    expect(record.status == "cancelled", f"handler status {record.status!r}")
    state["cancelled_hitl"] = handler.handler_id
    return "cancel hitl: handler cancelled"


async def check_handlers(client: WorkflowClient, state: dict) -> str:
    listed = (await client.get_handlers(workflow_name=["hitl"])).handlers
    by_id = {h.handler_id: h for h in listed}
    others = {h.workflow_name for h in listed} - {"hitl"}
    expect(not others, f"filter workflow_name=hitl also listed {others}")
    done = by_id.get(state["completed_hitl"])
    expect(done is not None, f"completed handler {state['completed_hitl']} not listed")
    expect(done.status == "completed", f"listed as {done.status!r}")
    expect(result_of(done) == {"response": "Ada"}, f"listed result {done.result!r}")
    cancelled = by_id.get(state["cancelled_hitl"])
    expect(cancelled is not None, f"cancelled handler {state['cancelled_hitl']} not listed")
    expect(cancelled.status == "cancelled", f"cancelled one listed as {cancelled.status!r}")
    completed_only = (
        await client.get_handlers(status=["completed"], workflow_name=["hitl"])
    ).handlers
    expect(
        state["completed_hitl"] in {h.handler_id for h in completed_only}
        and all(h.status == "completed" for h in completed_only),
        f"status=completed filter gave {[(h.handler_id, h.status) for h in completed_only]}",
    )
    return f"list handlers of hitl: {len(listed)}, the completed and the cancelled among them"


async def check_resume(client: WorkflowClient, state: dict) -> str:
    n = 40
    handler = await client.run_workflow_nowait(
        "stream_n", start_event=StartEvent(n=n, delay_ms=5)
    )
    # The client's EventStream exposes the SSE id of the last event it
    # yielded (`last_sequence`); closing it cancels its reader, which closes
    # the HTTP response. Resuming passes that id as `after_sequence`.
    first = Events(client.get_workflow_events(handler.handler_id))
    seen = []
    while len(seen) < 10:
        part = await first.collect(until=lambda e: True)
        expect(bool(part), f"the first connection ended after {len(seen)} events")
        seen += part
    await first.close()
    last = first.stream.last_sequence
    expect(isinstance(last, int), f"last_sequence is {last!r}, not an id")
    second = Events(client.get_workflow_events(handler.handler_id, after_sequence=last))
    seen += await second.collect()
    sequences = [s for s, _ in seen]
    expect(
        all(isinstance(s, int) for s in sequences)
        and all(a < b for a, b in zip(sequences, sequences[1:])),
        f"sequence ids are not increasing: {sequences}",
    )
    events = [decode(e) for _, e in seen]
    ticks = [e.i for e in events if isinstance(e, Tick)]
    expect(ticks == list(range(n)), f"ticks seen: {ticks}")
    expect(
        len(events) == n + 1 and isinstance(events[-1], StopEvent),
        f"events after the ticks: {[type(e).__name__ for e in events[n:]]}",
    )
    expect(events[-1].result == {"n": n}, f"stop result {events[-1].result!r}")
    return (
        f"resume stream_n n={n}: closed after id {last}, resumed with "
        f"after_sequence={last}, ticks 0..{n - 1} once each, then StopEvent"
    )


CHECKS = [
    ("a", "health", check_health),
    ("b", "list workflows", check_list),
    ("c", "schemas", check_schemas),
    ("d", "run two_step", check_run),
    ("e", "stream stream_n", check_stream),
    ("f", "hitl", check_hitl),
    ("g", "cancel", check_cancel),
    ("h", "list handlers", check_handlers),
    ("i", "resume", check_resume),
]


def fail(name: str, error: BaseException) -> None:
    if isinstance(error, CheckFailed):
        why = str(error)
    elif isinstance(error, asyncio.TimeoutError):
        why = f"no answer within {CHECK_TIMEOUT:.0f} s"
    else:
        why = f"{type(error).__name__}: {error}"
    print(f"FAIL {name}: {why}", file=sys.stderr, flush=True)
    sys.exit(1)


async def run_checks(client: WorkflowClient) -> None:
    state: dict = {}
    for letter, name, check in CHECKS:
        try:
            line = await asyncio.wait_for(check(client, state), CHECK_TIMEOUT)
        except BaseException as e:  # noqa: BLE001 - every failure is reported
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            fail(f"{letter} ({name})", e)
        print(f"ok {letter} {line}", flush=True)
    print(f"all {len(CHECKS)} checks passed", flush=True)


async def start_hitl(client: WorkflowClient) -> None:
    handler, stream, seen = await start_hitl_until_question(client)
    await stream.close()
    print(f"handler {handler.handler_id}", flush=True)
    print(f"seq {seen[-1][0]}", flush=True)


async def answer_hitl(client: WorkflowClient, handler_id: str) -> None:
    sent = await client.send_event(handler_id, HumanResponseEvent(response="Ada"))
    expect(sent.status == "sent", f"send_event answered {sent.status!r}")
    handler = await wait_terminal(client, handler_id)
    expect(handler.status == "completed", f"status {handler.status!r}, error {handler.error!r}")
    result = result_of(handler)
    print(f"result {json.dumps(result)}", flush=True)
    expect(result == {"response": "Ada"}, f"result {result!r}")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8000")
    sub = parser.add_subparsers(dest="mode")
    sub.add_parser("start-hitl", help="start a hitl run and wait for its question")
    answer = sub.add_parser("answer-hitl", help='answer "Ada" to a hitl run')
    answer.add_argument("handler_id")
    args = parser.parse_args()

    client = WorkflowClient(base_url=args.url.rstrip("/"))
    if args.mode is None:
        await run_checks(client)
        return
    try:
        if args.mode == "start-hitl":
            await asyncio.wait_for(start_hitl(client), CHECK_TIMEOUT)
        else:
            await asyncio.wait_for(answer_hitl(client, args.handler_id), CHECK_TIMEOUT)
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        fail(args.mode, e)


if __name__ == "__main__":
    asyncio.run(main())
