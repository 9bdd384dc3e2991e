"""The five benchmark workloads of `workflows`, run with LlamaIndex Workflows.

Writes the median cost of each workload to a JSON file, which the Rust
harness reads (`cargo bench --bench workloads -- --peer FILE`) to run its own
versions at the same sizes and print the ratios; `compare.sh` does both.
Every workload checks its result and fails loudly if it is wrong.

usage: python llama_index.py --json OUT [--reps N] [--size NAME=N ...]
"""

import argparse
import asyncio
import gc
import importlib.metadata
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from workflows import Context, Workflow, step
from workflows.events import Event, StartEvent, StopEvent

# Sizes at which each workload's repetitions take well under a minute on a
# two-core machine.
DEFAULT_SIZES = {
    "chain": 2000,
    "fan_out": 500,
    "stream": 10000,
    "runs": 1000,
    "parked": 1000,
}

# The size of the warm-up run of each workload, before its repetitions.
WARM_UP_SIZE = 20

# How many invocations of the fan-out worker step may overlap, as in ours.
WORKERS = 8


class WorkloadFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise WorkloadFailed(message)


def log(message):
    print(message, file=sys.stderr, flush=True)


# chain: one step re-emits an event to itself `hops` times, then stops.


class BeginChain(StartEvent):
    hops: int


class Hop(Event):
    remaining: int


class Chain(Workflow):
    def __init__(self):
        super().__init__(timeout=None, verbose=False)
        # Counted by the step itself, so the result proves every hop ran.
        self.hops_done = 0

    @step
    async def begin(self, ev: BeginChain) -> Hop:
        return Hop(remaining=ev.hops)

    @step
    async def hop(self, ev: Hop) -> Hop | StopEvent:
        if ev.remaining == 0:
            return StopEvent(result=self.hops_done)
        self.hops_done += 1
        return Hop(remaining=ev.remaining - 1)


async def chain(hops):
    result = await Chain().run(start_event=BeginChain(hops=hops))
    check(result == hops, f"chain stopped after {result} hops, not {hops}")


# fan_out: a step sends `items` events to a step with eight workers, and a
# collector gathers all the results before the run stops.


class Item(Event):
    value: int


class Done(Event):
    value: int


class FanOut(Workflow):
    def __init__(self, items):
        super().__init__(timeout=None, verbose=False)
        self.items = items

    # Declared to return Item so that the graph validation sees where the
    # items come from; they are sent with send_event, and nothing returned.
    @step
    async def split(self, ctx: Context, ev: StartEvent) -> Item | None:
        for value in range(self.items):
            ctx.send_event(Item(value=value))
        return None

    @step(num_workers=WORKERS)
    async def work(self, ev: Item) -> Done:
        return Done(value=ev.value * 2)

    @step
    async def collect(self, ctx: Context, ev: Done) -> StopEvent | None:
        everything = ctx.collect_events(ev, [Done] * self.items)
        if everything is None:
            return None
        return StopEvent(result=[done.value for done in everything])


async def fan_out(items):
    values = await FanOut(items).run()
    check(
        sorted(values) == [value * 2 for value in range(items)],
        f"the collector got {len(values)} results, not the {items} expected",
    )


# stream: a step writes `ticks` events to the stream and the caller reads
# them all.


class Tick(Event):
    index: int


class Ticker(Workflow):
    # Not `self.events`: Workflow already has a property of that name.
    def __init__(self, ticks):
        super().__init__(timeout=None, verbose=False)
        self.ticks = ticks

    @step
    async def tick(self, ctx: Context, ev: StartEvent) -> StopEvent:
        for index in range(self.ticks):
            ctx.write_event_to_stream(Tick(index=index))
        return StopEvent(result=self.ticks)


async def stream(ticks):
    handler = Ticker(ticks).run()
    read = 0
    # The stream also carries the StopEvent, last, and ends after it.
    async for event in handler.stream_events():
        if isinstance(event, Tick):
            check(event.index == read, f"tick {event.index} came as {read}")
            read += 1
    await handler
    check(read == ticks, f"read {read} ticks, not {ticks}")


# runs: `count` short two-step runs started at once, then all awaited.


class Ask(StartEvent):
    number: int


class Mid(Event):
    number: int


class TwoSteps(Workflow):
    @step
    async def first(self, ev: Ask) -> Mid:
        return Mid(number=ev.number + 1)

    @step
    async def second(self, ev: Mid) -> StopEvent:
        return StopEvent(result=ev.number * 2)


async def runs(count):
    workflow = TwoSteps(timeout=None, verbose=False)
    handlers = [
        workflow.run(start_event=Ask(number=number)) for number in range(count)
    ]
    results = await asyncio.gather(*handlers)
    expected = [(number + 1) * 2 for number in range(count)]
    check(results == expected, "a two-step run returned a wrong result")


# parked: `count` runs each suspended inside a step, waiting on one gate.


class Gate:
    """Where the runs wait, counting how many of them do."""

    def __init__(self):
        self.parked = 0
        self.open = asyncio.Event()

    async def pass_through(self):
        self.parked += 1
        await self.open.wait()


class Enter(StartEvent):
    run: int


class Passed(Event):
    run: int


class Parked(Workflow):
    def __init__(self, gate):
        super().__init__(timeout=None, verbose=False)
        self.gate = gate

    @step
    async def wait(self, ev: Enter) -> Passed:
        await self.gate.pass_through()
        return Passed(run=ev.run)

    @step
    async def finish(self, ev: Passed) -> StopEvent:
        return StopEvent(result=ev.run)


async def parked(count):
    """Returns the traced bytes held per run while `count` runs are parked."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    gate = Gate()
    workflow = Parked(gate)
    handlers = [
        workflow.run(start_event=Enter(run=run)) for run in range(count)
    ]
    while gate.parked < count:
        await asyncio.sleep(0)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    gate.open.set()
    results = await asyncio.gather(*handlers)
    check(results == list(range(count)), "a parked run returned a wrong value")
    return (after - before) / count


# The harness.


async def nanoseconds_per_op(workload, size):
    """Runs `workload` once at `size`; returns the wall time per operation."""
    gc.collect()
    start = time.perf_counter_ns()
    await workload(size)
    return (time.perf_counter_ns() - start) / size


async def bytes_per_op(workload, size):
    """Runs `workload` once at `size` with allocations traced; returns what
    the workload reports."""
    tracemalloc.start()
    try:
        return await workload(size)
    finally:
        tracemalloc.stop()


@dataclass
class Spec:
    workload: Callable[[int], Awaitable]
    unit: str
    memory: bool = False
    note: str | None = None


SPECS = {
    "chain": Spec(chain, "hop"),
    # The cost per item grows with the number of items: LlamaIndex copies
    # every pending event at each tick of a run, and this workload sends all
    # of them at once, so a run costs O(items^2).
    "fan_out": Spec(
        fan_out,
        "item",
        note="quadratic in LlamaIndex (each tick copies every pending event);"
        " size kept small",
    ),
    "stream": Spec(stream, "event"),
    "runs": Spec(runs, "run"),
    "parked": Spec(
        parked,
        "run",
        memory=True,
        note="tracemalloc: Python allocations only, not the interpreter's"
        " untraced memory",
    ),
}


async def measure_all(sizes, reps):
    results = {}
    for name, spec in SPECS.items():
        size = sizes[name]
        measure = bytes_per_op if spec.memory else nanoseconds_per_op
        await measure(spec.workload, min(size, WARM_UP_SIZE))
        started = time.perf_counter()
        median = statistics.median(
            [await measure(spec.workload, size) for _ in range(reps)]
        )
        shown = f"{median / 1024:,.1f} KiB" if spec.memory else (
            f"{median / 1000:,.1f} us"
        )
        log(
            f"{name:<8} {size:>7,} {spec.unit}s: {shown} per {spec.unit}"
            f" (median of {reps}, {time.perf_counter() - started:.1f} s)"
        )
        key = "bytes_per_op" if spec.memory else "ns_per_op"
        results[name] = {"size": size, "unit": spec.unit, key: float(median)}
        if spec.note is not None:
            results[name]["note"] = spec.note
    return results


def positive(text):
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"`{text}` is not a positive number")
    return int(text)


def workload_size(text):
    name, _, value = text.partition("=")
    if name not in SPECS:
        known = ", ".join(SPECS)
        raise argparse.ArgumentTypeError(f"no workload `{name}` ({known})")
    return name, positive(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", required=True, help="where to write results")
    parser.add_argument(
        "--reps",
        type=positive,
        default=3,
        help="runs of each workload; the median is reported (default 3)",
    )
    parser.add_argument(
        "--size",
        type=workload_size,
        action="append",
        default=[],
        metavar="NAME=N",
        help="the size of one workload, e.g. chain=2000 (repeatable)",
    )
    args = parser.parse_args()
    sizes = {**DEFAULT_SIZES, **dict(args.size)}
    version = importlib.metadata.version("llama-index-workflows")
    python = platform.python_version()

    log(f"llama-index-workflows {version} on Python {python}")
    started = time.perf_counter()
    try:
        workloads = asyncio.run(measure_all(sizes, args.reps))
    except WorkloadFailed as failure:
        sys.exit(f"workload failed: {failure}")
    log(f"done in {time.perf_counter() - started:.1f} s, writing {args.json}")

    results = {
        "implementation": "llama-index-workflows",
        "version": version,
        "python": python,
        "reps": args.reps,
        "workloads": workloads,
    }
    with open(args.json, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)
        file.write("\n")


if __name__ == "__main__":
    main()
