"""Producing jobs: one at a time through the queue and through the raw storage, and in bulk.

Each benchmark runs `benchmark.pedantic` with fixed rounds and iterations; one "op" is one
call of the target (one job for the one-by-one benchmarks, `BULK` jobs for the bulk one).
"""

from __future__ import annotations

import itertools

import pytest

from benchmarks.conftest import ADAPTERS, QueueFactory, ServicesFactory
from kueport.adapters.redis import codec
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
    """`BULK` jobs saved in a plain loop of `save()`: the baseline `save_all` is measured
    against. Every `save()` is its own round trip (one EVALSHA that also publishes the
    `enqueue` event). Divide the time of one op by `BULK` for the cost of one job.
    """
    queue = make_queue(adapter)
    numbers = itertools.count()

    def save_batch() -> None:
        for _ in range(BULK):
            queue.create("bench", {"n": next(numbers), "to": "someone@example.com"}).save()

    benchmark.extra_info["jobs_per_op"] = BULK
    benchmark.pedantic(save_batch, rounds=BULK_ROUNDS, iterations=1, warmup_rounds=1)
    assert queue.service.storage.count(State.INACTIVE, "bench") == next(numbers)


@pytest.mark.benchmark(group="enqueue in bulk")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_save_all(benchmark, make_queue: QueueFactory, adapter: str) -> None:
    """`queue.save_all(jobs)` of `BULK` new jobs, created in the op too (as a producer does):
    batches of 500 EVALSHAs, each batch one write and one read, the `enqueue` events
    published by the script."""
    queue = make_queue(adapter)
    numbers = itertools.count()

    def save_all() -> None:
        jobs = [
            queue.create("bench", {"n": next(numbers), "to": "someone@example.com"})
            for _ in range(BULK)
        ]
        queue.save_all(jobs)

    benchmark.extra_info["jobs_per_op"] = BULK
    benchmark.pedantic(save_all, rounds=BULK_ROUNDS * 4, iterations=1, warmup_rounds=1)
    assert queue.service.storage.count(State.INACTIVE, "bench") == next(numbers)


@pytest.mark.benchmark(group="enqueue in bulk")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_storage_enqueue_many(benchmark, make_services: ServicesFactory, adapter: str) -> None:
    """`JobStorage.enqueue_many(specs, now)` of `BULK` specs alone (no events, no `Job`s)."""
    storage = make_services(adapter).backend.storage
    numbers = itertools.count()

    def enqueue_many() -> None:
        specs = [
            JobSpec(type="bench", data={"n": next(numbers), "to": "someone@example.com"})
            for _ in range(BULK)
        ]
        storage.enqueue_many(specs, 1_700_000_000_000)

    benchmark.extra_info["jobs_per_op"] = BULK
    benchmark.pedantic(enqueue_many, rounds=BULK_ROUNDS * 4, iterations=1, warmup_rounds=1)
    assert storage.count(State.INACTIVE, "bench") == next(numbers)


#: A claimed job's hash as the claim script returns it (bytes, redis-py's replies).
CLAIMED = {
    b"type": b"email",
    b"data": b'{"n":1,"to":"someone@example.com"}',
    b"priority": b"0",
    b"state": b"active",
    b"max_attempts": b"1",
    b"created_at": b"1700000000000",
    b"promote_at": b"1700000000000",
    b"updated_at": b"1700000000001",
    b"started_at": b"1700000000001",
    b"workerId": b"kueport:host:123:email:1",
    b"lease": b"0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    b"lease_until": b"1700000030001",
}


@pytest.mark.benchmark(group="codec")
def test_decode_a_claimed_hash(benchmark) -> None:
    """`codec.decode` of a claimed job's hash: every job a Redis worker runs passes here."""
    benchmark.extra_info["jobs_per_op"] = 1
    record = benchmark.pedantic(
        codec.decode, args=(7, CLAIMED), rounds=ROUNDS, iterations=100, warmup_rounds=1
    )
    assert record.lease_until == 1700000030001 and record.state is State.ACTIVE
