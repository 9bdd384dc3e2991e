"""The Postgres benchmark's peer: LlamaIndex Workflows run durably on DBOS
(`llama-agents-dbos`), the two-step workflow of ours (benches/pg/flows.rs,
`TwoSteps`): a greeting, then its upper case.

Runs RUNS durable runs, CONCURRENCY at once, in one process, on the server
at DATABASE_URL, in schemas of its own (DBOS's system tables and the
runtime's state and journal), which it drops after; prints one line,
`two-step: R runs/s (...)`, the median of REPS, that pg_compare.sh reads.

usage: python dbos_peer.py [--runs N] [--concurrency N] [--reps N] [--poll SECONDS]
"""

import argparse
import asyncio
import importlib.metadata
import os
import statistics
import sys
import time

import psycopg
from dbos import DBOS, DBOSConfig
from llama_agents.dbos import DBOSRuntime
from workflows import Workflow, step
from workflows.events import Event, StartEvent, StopEvent


class Greet(StartEvent):
    name: str


class Greeted(Event):
    text: str


class TwoSteps(Workflow):
    @step
    async def greet(self, ev: Greet) -> Greeted:
        return Greeted(text=f"hello, {ev.name}")

    @step
    async def shout(self, ev: Greeted) -> StopEvent:
        return StopEvent(result=ev.text.upper())


def log(message):
    print(message, file=sys.stderr, flush=True)


async def measure(workflow, runs, concurrency):
    gate = asyncio.Semaphore(concurrency)

    async def one(n):
        async with gate:
            result = await workflow.run(start_event=Greet(name=f"n{n}"))
            assert result == f"HELLO, N{n}", result

    began = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(runs)))
    return runs / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--reps", type=int, default=3)
    # How often the runtime polls for a run's result: DBOS's default is
    # 1 s, which would bound a run's latency, not its cost.
    parser.add_argument("--poll", type=float, default=0.01)
    args = parser.parse_args()
    url = os.environ.get(
        "DATABASE_URL", "postgres://workflows:workflows@127.0.0.1:5432/workflows"
    )
    url = url.replace("postgres://", "postgresql://", 1)
    system_schema = f"bench_dbos_{os.getpid()}"
    state_schema = f"bench_dbos_state_{os.getpid()}"
    config: DBOSConfig = {
        "name": "dbos-peer",
        "system_database_url": url,
        "dbos_system_schema": system_schema,
        "sys_db_pool_size": 20,
        "log_level": "WARNING",
    }
    DBOS(config=config)
    runtime = DBOSRuntime(polling_interval_sec=args.poll, schema=state_schema)
    workflow = TwoSteps(runtime=runtime, timeout=None)
    try:
        runtime.launch_sync()

        async def all_reps():
            # A few runs first: connections, migrations, caches.
            await measure(workflow, 20, args.concurrency)
            rates = []
            for rep in range(args.reps):
                rate = await measure(workflow, args.runs, args.concurrency)
                log(f"dbos_peer: rep {rep}: {rate:.1f} runs/s")
                rates.append(rate)
            return rates

        rates = asyncio.run(all_reps())
    finally:
        try:
            DBOS.destroy()
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                for schema in (system_schema, state_schema):
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("llama-agents-dbos", "dbos", "llama-index-workflows")
    )
    print(
        f"two-step: {statistics.median(rates):.1f} runs/s ({args.runs} durable runs, "
        f"{args.concurrency} at once, median of {args.reps}; {versions}, poll {args.poll} s)"
    )


if __name__ == "__main__":
    main()
