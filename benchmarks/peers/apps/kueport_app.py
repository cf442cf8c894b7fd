"""kueport's worker module: `kueport worker benchmarks.peers.apps.kueport_app:setup`."""

from __future__ import annotations

import os

import kueport
from benchmarks.peers.sink import record

JOB_TYPE = "email"
PREFIX = "q"


def handle(job: kueport.Job) -> None:
    record(os.environ["BENCH_SINK"], job.data)  # type: ignore[arg-type]


def setup() -> kueport.Queue:
    """The queue with its processor; `--concurrency` on the command line overrides 1."""
    queue = kueport.create_queue(redis=os.environ["BENCH_REDIS_URL"], prefix=PREFIX)
    queue.process(JOB_TYPE, handle, concurrency=1)
    return queue
