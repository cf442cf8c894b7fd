"""The memory adapter's storage alone, per job: enqueue, claim + complete_many, claim + fail.

What `kueport.create_queue()` without Redis pays in `MemoryStorage` for each no-op job, with
no service, worker or threads around it. The storage is wired as the embedded backend wires
it (events to a `MemoryEventBus`, nobody subscribed), and also told when the bus has nobody
listening (`listening=`, not yet wired by `memory_backend`), so the hot moves can skip
building events: compare the `backend` and `listening` ids to see what that is worth.

One op handles `JOBS_PER_OP` jobs (see `extra_info`): divide an op's time by it for one job.
"""

from __future__ import annotations

import pytest

from kueport.adapters.clock import SystemClock
from kueport.adapters.memory import MemoryEventBus, MemoryStorage
from kueport.domain.job import JobSpec
from kueport.domain.retry import plan_failure, plan_success
from kueport.domain.state import State
from kueport.ports.storage import Claim, Completion

JOBS_PER_OP = 1_000
ROUNDS, WARMUP_ROUNDS = 20, 1
NOW = 1_700_000_000_000
WIRINGS = ["backend", "listening"]


def _storage(wiring: str) -> MemoryStorage:
    bus = MemoryEventBus()
    listening = bus.listening if wiring == "listening" else None
    return MemoryStorage(SystemClock(), announce=bus.publish, listening=listening)


def _specs(count: int) -> list[JobSpec]:
    return [JobSpec(type="bench", data={"n": n}) for n in range(count)]


def _filled(wiring: str) -> MemoryStorage:
    """A storage with a backlog for every timed and warm-up round (not timed)."""
    storage = _storage(wiring)
    storage.enqueue_many(_specs((ROUNDS + WARMUP_ROUNDS) * JOBS_PER_OP), NOW)
    return storage


@pytest.mark.benchmark(group="memory storage: enqueue")
@pytest.mark.parametrize("wiring", WIRINGS)
def test_enqueue(benchmark, wiring: str) -> None:
    """`enqueue(spec, now, announce=True)` for `JOBS_PER_OP` prepared specs."""
    storage = _storage(wiring)
    specs = _specs(JOBS_PER_OP)

    def enqueue() -> None:
        for spec in specs:
            storage.enqueue(spec, NOW, True)

    benchmark.extra_info["jobs_per_op"] = JOBS_PER_OP
    benchmark.pedantic(enqueue, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    assert storage.count(State.INACTIVE, "bench") == (ROUNDS + WARMUP_ROUNDS) * JOBS_PER_OP


@pytest.mark.benchmark(group="memory storage: enqueue")
def test_enqueue_many(benchmark) -> None:
    """`enqueue_many(specs, now)` of `JOBS_PER_OP` prepared specs (no events)."""
    storage = _storage("backend")
    specs = _specs(JOBS_PER_OP)
    benchmark.extra_info["jobs_per_op"] = JOBS_PER_OP
    benchmark.pedantic(
        storage.enqueue_many, args=(specs, NOW), rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS
    )


@pytest.mark.benchmark(group="memory storage: claim + complete_many")
@pytest.mark.parametrize("limit", [1, 10, 100])
@pytest.mark.parametrize("wiring", WIRINGS)
def test_claim_and_complete_many(benchmark, wiring: str, limit: int) -> None:
    """`claim(Claim(limit), 0)` then `complete_many` of the batch, until `JOBS_PER_OP` jobs
    are done; plans and `Completion`s are built inside the op, as the service builds them."""
    storage = _filled(wiring)
    claim = Claim("bench", "bench-worker", limit=limit, announce=True)

    def claim_and_complete() -> None:
        for _ in range(JOBS_PER_OP // limit):
            claimed = storage.claim(claim, 0)
            storage.complete_many(
                [Completion(r.id, r.lease, None, plan_success(r, NOW)) for r in claimed], NOW
            )

    benchmark.extra_info["jobs_per_op"] = JOBS_PER_OP
    benchmark.pedantic(claim_and_complete, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    assert storage.count(State.COMPLETE) == (ROUNDS + WARMUP_ROUNDS) * JOBS_PER_OP


@pytest.mark.benchmark(group="memory storage: claim + fail")
def test_claim_and_fail(benchmark) -> None:
    """`claim(Claim(limit=10), 0)` then `fail` of each job (one attempt: failed for good)."""
    storage = _filled("backend")
    claim = Claim("bench", "bench-worker", limit=10)

    def claim_and_fail() -> None:
        for _ in range(JOBS_PER_OP // 10):
            for record in storage.claim(claim, 0):
                storage.fail(record.id, record.lease, "boom", plan_failure(record, NOW), NOW)

    benchmark.extra_info["jobs_per_op"] = JOBS_PER_OP
    benchmark.pedantic(claim_and_fail, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    assert storage.count(State.FAILED) == (ROUNDS + WARMUP_ROUNDS) * JOBS_PER_OP
