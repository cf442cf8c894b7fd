"""Workers' storage path: claim a batch through `JobService.claim`, complete each job.

No worker threads and no handler: one op is `service.claim(Claim(limit=L), timeout=0)`
followed by `service.complete(...)` for every claimed job, on a backlog enqueued beforehand
(not timed). With limit 1 an op handles one job; with limit 10, ten jobs (one claim script
for the batch, one complete script per job). Events are published (nobody listens).
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import ADAPTERS, ServicesFactory
from kueport.domain.job import JobSpec
from kueport.domain.state import State
from kueport.ports.storage import Claim

#: limit -> (rounds, iterations); about 1,500-2,000 timed jobs each.
PLANS = {1: (300, 5), 10: (100, 2)}
WARMUP_ROUNDS = 1


@pytest.mark.benchmark(group="claim + complete")
@pytest.mark.parametrize("limit", sorted(PLANS))
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_claim_and_complete(
    benchmark, make_services: ServicesFactory, adapter: str, limit: int
) -> None:
    services = make_services(adapter)
    service, storage = services.service, services.backend.storage
    rounds, iterations = PLANS[limit]
    # pedantic runs the target once more, untimed, after looped rounds (to get a result).
    backlog = ((rounds + WARMUP_ROUNDS) * iterations + (iterations > 1)) * limit
    now = service.now()
    for n in range(backlog):
        storage.enqueue(JobSpec(type="bench", data={"n": n}), now)
    claim = Claim("bench", "bench-worker", limit=limit)
    handled: list[int] = []

    def claim_and_complete() -> None:
        records = service.claim(claim, 0)
        for record in records:
            service.complete(record, record.lease, None)
        handled.append(len(records))

    benchmark.extra_info["jobs_per_op"] = limit
    benchmark.pedantic(
        claim_and_complete, rounds=rounds, iterations=iterations, warmup_rounds=WARMUP_ROUNDS
    )
    assert set(handled) == {limit}, "the backlog ran dry: the numbers would be wrong"
    assert storage.count(State.COMPLETE, "bench") == backlog
