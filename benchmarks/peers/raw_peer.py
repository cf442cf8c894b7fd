"""The raw ceiling: redis-py + hiredis sending one minimal enqueue script per job.

The script is the least a Redis job queue can do per job (new id, a hash with the
JSON payload, push the id on a list); the driver JSON-encodes the payload like any queue.
One-by-one = one EVALSHA round trip per job; bulk = pipelines of 16 EVALSHAs. Its worker
(`apps/raw_app.py`) BLPOPs an id and reads the payload, nothing more: its latency is the
floor under every queue's enqueue-to-start latency on this machine (two wake-ups of idle
processes and three round trips), its rate a ceiling over one-process processing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from importlib.metadata import version

import redis

from benchmarks.peers.base import Context, WorkerPlan, payload

ENQUEUE = """
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2] .. id, 'type', ARGV[1], 'data', ARGV[2], 'created_at', ARGV[3])
redis.call('LPUSH', KEYS[3], id)
return id
"""
KEYS = ("raw:ids", "raw:job:", "raw:queue")
BATCH = 16


class RawPeer:
    name = "raw EVALSHA"

    def __init__(self) -> None:
        self.client: redis.Redis | None = None
        self.ctx: Context | None = None
        self.sha = ""

    def version(self) -> str:
        return f"redis-py {version('redis')}, hiredis {version('hiredis')}"

    def open(self, ctx: Context) -> None:
        self.ctx = ctx
        self.client = redis.Redis.from_url(ctx.redis_url)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def _args(self, k: int) -> tuple[str, ...]:
        return (*KEYS, "email", json.dumps(payload(k)), str(int(time.time() * 1000)))

    def enqueue_one(self, n: int) -> float:
        assert self.client is not None
        self.sha = str(self.client.script_load(ENQUEUE))  # after FLUSHALL the cache stays
        start = time.perf_counter()
        for k in range(n):
            self.client.evalsha(self.sha, 3, *self._args(k))
        return time.perf_counter() - start

    def enqueue_bulk(self, n: int) -> tuple[float, str]:
        assert self.client is not None
        self.sha = str(self.client.script_load(ENQUEUE))
        start = time.perf_counter()
        for first in range(0, n, BATCH):
            pipe = self.client.pipeline(transaction=False)
            for k in range(first, min(first + BATCH, n)):
                pipe.evalsha(self.sha, 3, *self._args(k))
            pipe.execute()
        return time.perf_counter() - start, f"pipelines of {BATCH} EVALSHA"

    def enqueue_timed(self, k: int) -> None:
        assert self.client is not None
        if not self.sha:
            self.sha = str(self.client.script_load(ENQUEUE))
        data = json.dumps(payload(k, time.time()))
        self.client.evalsha(self.sha, 3, *KEYS, "email", data, str(int(time.time() * 1000)))

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(1)]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(2)

    def _plan(self, processes: int) -> WorkerPlan:
        assert self.ctx is not None
        argv = [self.ctx.python, "-m", "benchmarks.peers.apps.raw_app"]
        label = f"{processes} x BLPOP + HGET loop"
        return WorkerPlan(label, [argv] * processes, self.ctx.app_env(), 1, processes)
