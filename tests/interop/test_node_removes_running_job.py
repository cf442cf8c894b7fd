"""Node Kue deletes a job a kueport worker holds (`Job#remove`, its dashboard's delete).

Kue deletes the hash, the log and the index entries, and knows nothing of kueport's
`P:kueport:leases`. Wherever kueport meets the missing job (the worker's completion or
failure, the renewal of its lease, the lease sweep for a worker that never comes back) it
drops the lease entry, so nothing of the job stays behind and no maintenance pass reads it
again.
"""

from __future__ import annotations

import threading

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobSpec
from kueport.domain.ordering import zid
from kueport.job import Job
from kueport.ports.storage import Claim
from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory
from tests.redis_server import RedisServer


def leases(raw: redis.Redis, prefix: str) -> list[str]:
    return list(raw.zrange(f"{prefix}:kueport:leases", 0, -1))


@pytest.mark.parametrize("outcome", ["complete", "fail"])
def test_a_running_job_node_kue_removed_leaves_no_lease_when_its_handler_ends(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis, outcome: str
) -> None:
    queue = kueport_queue(prefix)
    errors: list[BaseException] = []
    queue.on("error", errors.append)
    started, release, ended = threading.Event(), threading.Event(), threading.Event()

    def handle(job: Job) -> str:
        started.set()
        release.wait(20)
        ended.set()
        if outcome == "fail":
            raise RuntimeError("failed after its removal")
        return "done"

    job = queue.create("r", {"x": 1}).save()
    queue.process("r", handle)
    assert started.wait(20)
    assert leases(raw, prefix) == [zid(job.id or 0)]

    kue.run("remove_jobs.js", prefix, ids=[job.id])
    release.set()
    assert ended.wait(20)

    wait_for(lambda: not leases(raw, prefix), 10, "the worker's outcome to drop the lease")
    assert not raw.exists(f"{prefix}:job:{job.id}")
    assert errors == []


def test_the_lease_sweep_forgets_a_job_node_kue_removed_under_a_dead_worker(
    kue: KueNode, redis_server: RedisServer, prefix: str, raw: redis.Redis
) -> None:
    clock = ManualClock()
    storage = RedisStorage(redis_server.client(), Keys(prefix), clock)
    removed = storage.enqueue(JobSpec(type="r"), clock.now_ms())
    kept = storage.enqueue(JobSpec(type="r"), clock.now_ms())
    claimed = storage.claim(Claim("r", "dead-worker", limit=2, lease_ms=1000), 0)
    assert [r.id for r in claimed] == [removed.id, kept.id]

    kue.run("remove_jobs.js", prefix, ids=[removed.id])  # the worker died meanwhile
    clock.advance(5.0)

    expired = storage.lease_expired(clock.now_ms(), 1000)
    assert [r.id for r in expired] == [kept.id]  # a stored job is still taken back
    assert leases(raw, prefix) == [zid(kept.id)]
    assert storage.lease_expired(clock.now_ms(), 1000) == expired


def test_renewing_the_lease_of_a_job_node_kue_removed_answers_false_and_drops_the_lease(
    kue: KueNode, redis_server: RedisServer, prefix: str, raw: redis.Redis
) -> None:
    clock = ManualClock()
    storage = RedisStorage(redis_server.client(), Keys(prefix), clock)
    storage.enqueue(JobSpec(type="r"), clock.now_ms())
    [held] = storage.claim(Claim("r", "w1", lease_ms=1000), 0)
    assert held.lease is not None

    kue.run("remove_jobs.js", prefix, ids=[held.id])

    assert storage.renew_lease(held.id, held.lease, clock.now_ms() + 30_000) is False
    assert leases(raw, prefix) == []
