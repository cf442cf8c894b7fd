"""Scale: enqueue, claim and complete cost the same on a backlog of 10,000 or 1,000,000 jobs.

For each adapter and backlog size a queue is filled once (not timed) with `queue.save_all`
(pipelined batches), in chunks so the fill never holds a million `Job` objects at once.
Then three benchmarks time one job each on that backlog: `enqueue` (`service.enqueue`,
event included), `claim` (`service.claim(limit=1)`) and `complete` (`service.complete` of a
job claimed untimed just before). The table of each group should be flat across sizes (the
issue's bar: within 20 %); a cost that grows with the backlog shows up as a rising row.

`KUEPORT_SCALE_SIZES` (comma separated, e.g. `10000,100000`) overrides the sizes: a
million jobs take a few minutes to store and about 1.2 GB in Redis (less in memory).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import kueport
from benchmarks.conftest import ADAPTERS, fresh_prefix
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.state import State
from kueport.ports.storage import Claim
from kueport.queue import Queue
from tests.redis_server import RedisServer

SIZES = [int(n) for n in os.environ.get("KUEPORT_SCALE_SIZES", "10000,100000,1000000").split(",")]
ROUNDS, ITERATIONS = 100, 5
CHUNK = 20_000


def fill(queue: Queue, jobs: int) -> None:
    """`jobs` waiting jobs of type "bench", saved with `queue.save_all` chunk by chunk."""
    for start in range(0, jobs, CHUNK):
        batch = [queue.create("bench", {"n": n}) for n in range(start, min(jobs, start + CHUNK))]
        queue.save_all(batch, batch_size=1_000)


@pytest.fixture(
    scope="module", params=[(a, s) for a in ADAPTERS for s in SIZES], ids=lambda p: f"{p[0]}-{p[1]}"
)
def backlog(request: pytest.FixtureRequest) -> Iterator[tuple[Queue, int]]:
    """A queue holding the backlog; module-scoped so the three benchmarks share one fill."""
    adapter, size = request.param
    server: RedisServer | None = None
    if adapter == "memory":
        queue = kueport.create_queue()
    else:
        server = request.getfixturevalue("redis_server")
        server.flush()
        queue = kueport.create_queue(redis=server.url, prefix=fresh_prefix())
    fill(queue, size)
    yield queue, size
    queue.shutdown(timeout=1)
    if server is not None:
        server.flush()  # a million jobs hold about a gigabyte


@pytest.mark.benchmark(group="scale: enqueue one job")
def test_enqueue_on_backlog(benchmark, backlog: tuple[Queue, int]) -> None:
    queue, size = backlog
    service = queue.service

    benchmark.extra_info.update(jobs_per_op=1, backlog=size)
    benchmark.pedantic(
        lambda: service.enqueue(JobSpec(type="bench", data={"n": -1})),
        rounds=ROUNDS,
        iterations=ITERATIONS,
        warmup_rounds=1,
    )
    assert service.storage.count(State.INACTIVE, "bench") >= size


@pytest.mark.benchmark(group="scale: claim one job")
def test_claim_on_backlog(benchmark, backlog: tuple[Queue, int]) -> None:
    queue, size = backlog
    service = queue.service
    claim = Claim("bench", "bench-worker", limit=1)
    claimed: list[JobRecord] = []

    benchmark.extra_info.update(jobs_per_op=1, backlog=size)
    benchmark.pedantic(
        lambda: claimed.extend(service.claim(claim, 0)),
        rounds=ROUNDS,
        iterations=ITERATIONS,
        warmup_rounds=1,
    )
    assert len(claimed) >= ROUNDS * ITERATIONS, "the backlog ran dry"
    for record in claimed:  # leave no active job behind for the next benchmark
        service.complete(record, record.lease, None)


@pytest.mark.benchmark(group="scale: complete one job")
def test_complete_on_backlog(benchmark, backlog: tuple[Queue, int]) -> None:
    queue, size = backlog
    service = queue.service
    claim = Claim("bench", "bench-worker", limit=1)

    def claim_one() -> tuple[tuple[JobRecord], dict[str, object]]:
        (record,) = service.claim(claim, 0)
        return (record,), {}

    benchmark.extra_info.update(jobs_per_op=1, backlog=size)
    benchmark.pedantic(
        lambda record: service.complete(record, record.lease, None),
        setup=claim_one,
        rounds=ROUNDS * ITERATIONS,
        iterations=1,
        warmup_rounds=1,
    )
    assert service.storage.count(State.ACTIVE, "bench") == 0
