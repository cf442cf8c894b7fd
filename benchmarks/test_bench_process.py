"""End to end: `queue.process` with no-op handlers drains a backlog of `JOBS` jobs.

Each round (setup, not timed) creates a fresh queue and enqueues `JOBS` jobs with
`queue.create(...).save()`; the timed part starts the worker (`queue.process(type, handler,
concurrency=C)`) and ends when storage counts `JOBS` complete jobs (polled every
`POLL` seconds, so the resolution is about that). The previous round's queue is shut down in
the next setup, outside the timing. Throughput in jobs/s is `JOBS / time of one op`.
"""

from __future__ import annotations

import time

import pytest

from benchmarks.conftest import ADAPTERS, QueueFactory
from kueport.domain.state import State
from kueport.job import Job
from kueport.queue import Queue

JOBS = 2_000
ROUNDS = 3
POLL = 0.005
GIVE_UP = 100.0  # seconds per round; pytest's own timeout is 120 s per test


def no_op(job: Job) -> None:
    return None


@pytest.mark.benchmark(group="process 2,000 no-op jobs")
@pytest.mark.parametrize("concurrency", [1, 10])
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_process_throughput(
    benchmark, make_queue: QueueFactory, adapter: str, concurrency: int
) -> None:
    queues: list[Queue] = []

    def fill() -> tuple[tuple[Queue], dict[str, object]]:
        if queues:
            queues[-1].shutdown(timeout=1)
        queue = make_queue(adapter)
        for n in range(JOBS):
            queue.create("bench", {"n": n}).save()
        queues.append(queue)
        return (queue,), {}

    def drain(queue: Queue) -> None:
        storage = queue.service.storage
        give_up = time.monotonic() + GIVE_UP
        queue.process("bench", no_op, concurrency=concurrency)
        while storage.count(State.COMPLETE, "bench") < JOBS:
            assert time.monotonic() < give_up, "the backlog was not drained in time"
            time.sleep(POLL)

    benchmark.extra_info["jobs_per_op"] = JOBS
    benchmark.pedantic(drain, setup=fill, rounds=ROUNDS, iterations=1, warmup_rounds=0)
    assert len(queues) == ROUNDS
    assert queues[-1].service.storage.count(State.COMPLETE, "bench") == JOBS
