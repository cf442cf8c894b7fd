"""The raw ceiling: redis-py + hiredis sending one minimal enqueue script per job.

The script is the least a Redis job queue can do per job (new id, a hash with the
JSON payload, push the id on a list); the driver JSON-encodes the payload like any queue.
One-by-one = one EVALSHA round trip per job; bulk = pipelines of 16 EVALSHAs. There is no
worker: the processing and latency columns are empty for this row.
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
        self.sha = ""

    def version(self) -> str:
        return f"redis-py {version('redis')}, hiredis {version('hiredis')}"

    def open(self, ctx: Context) -> None:
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
        return None

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return []

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return None
