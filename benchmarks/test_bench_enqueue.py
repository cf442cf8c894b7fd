"""Producing jobs: one at a time through the queue and through the raw storage, and in bulk.

Each benchmark runs `benchmark.pedantic` with fixed rounds and iterations; one "op" is one
call of the target (one job for the one-by-one benchmarks, `BULK` jobs for the bulk one).
"""

from __future__ import annotations

import itertools

import pytest

from benchmarks.conftest import ADAPTERS, QueueFactory, ServicesFactory
from kueport.domain.job import JobSpec
from kueport.domain.state import State

ROUNDS, ITERATIONS = 200, 10  # 2,000 timed jobs (plus one warm-up round)
BULK, BULK_ROUNDS = 1_000, 5


@pytest.mark.benchmark(group="enqueue one by one")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_queue_save(benchmark, make_queue: QueueFactory, adapter: str) -> None:
    """`queue.create(type, data).save()`: the producer API (one script + one PUBLISH on Redis)."""
    queue = make_queue(adapter)
    numbers = itertools.count()

    def save() -> None:
        queue.create("bench", {"n": next(numbers), "to": "someone@example.com"}).save()

    benchmark.extra_info["jobs_per_op"] = 1
    benchmark.pedantic(save, rounds=ROUNDS, iterations=ITERATIONS, warmup_rounds=1)
    assert queue.service.storage.count(State.INACTIVE, "bench") == next(numbers)


@pytest.mark.benchmark(group="enqueue one by one")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_storage_enqueue(benchmark, make_services: ServicesFactory, adapter: str) -> None:
    """`JobStorage.enqueue(spec, now)` alone (`RedisStorage.enqueue`: one EVALSHA, no event)."""
    storage = make_services(adapter).backend.storage
    numbers = itertools.count()

    def enqueue() -> None:
        spec = JobSpec(type="bench", data={"n": next(numbers), "to": "someone@example.com"})
        storage.enqueue(spec, 1_700_000_000_000)

    benchmark.extra_info["jobs_per_op"] = 1
    benchmark.pedantic(enqueue, rounds=ROUNDS, iterations=ITERATIONS, warmup_rounds=1)
    assert storage.count(State.INACTIVE, "bench") == next(numbers)


@pytest.mark.benchmark(group="enqueue in bulk")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_bulk_enqueue_loop(benchmark, make_queue: QueueFactory, adapter: str) -> None:
    """`BULK` jobs saved in a plain loop: kueport has NO bulk (pipelined) enqueue API.

    Every `save()` is its own round trip (EVALSHA, then PUBLISH of the `enqueue` event), so
    this is the one-by-one cost times `BULK`, plus nothing: it shows what a producer pushing
    a batch pays today. Divide the time of one op by `BULK` for the cost of one job.
    """
    queue = make_queue(adapter)
    numbers = itertools.count()

    def save_batch() -> None:
        for _ in range(BULK):
            queue.create("bench", {"n": next(numbers), "to": "someone@example.com"}).save()

    benchmark.extra_info["jobs_per_op"] = BULK
    benchmark.pedantic(save_batch, rounds=BULK_ROUNDS, iterations=1, warmup_rounds=1)
    assert queue.service.storage.count(State.INACTIVE, "bench") == next(numbers)
