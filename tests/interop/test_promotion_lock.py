"""kueport's promoter yields to Node Kue's, so a delayed job is promoted (and run) once.

Kue's promoter takes the warlock lock `promotion:lock` (not prefixed, 2 s TTL), reads the due
ids, then moves each job to inactive with separate commands and unlocks. A job kueport
promoted in between, and a worker claimed, would be put back to inactive by Node and run
again. kueport's promotion script therefore moves nothing while the lock exists, and an
operator's "promote every delayed job" holds the lock itself while it moves them.

The lock key is shared by every queue on the server, so each test deletes it at the end.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobSpec
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.job import Job
from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory
from tests.redis_server import RedisServer

LOCK = "promotion:lock"
KUE_LOCK_TTL_MS = 2000  # Kue's promotion lockTtl


class Runs:
    """The ids of the jobs kueport's handler ran, once per run (a short job, as Node's)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self._lock = threading.Lock()

    def handle(self, job: Job) -> str:
        with self._lock:
            assert job.id is not None
            self.ids.append(job.id)
        time.sleep(0.005)
        return "done"


@pytest.fixture
def node_lock(raw: redis.Redis) -> Iterator[None]:
    """Leaves no lock behind for the next test (the key is not under any prefix)."""
    raw.delete(LOCK)
    yield
    raw.delete(LOCK)


def test_the_lock_key_is_kues_warlock_key() -> None:
    assert Keys("anything").promotion_lock == LOCK  # warlock.makeKey('promotion'), no prefix


def test_no_delayed_job_is_promoted_while_node_kue_holds_its_promotion_lock(
    redis_server: RedisServer, prefix: str, raw: redis.Redis, node_lock: None
) -> None:
    clock = ManualClock()
    storage = RedisStorage(redis_server.client(), Keys(prefix), clock)
    due = storage.enqueue(JobSpec(type="remind", delay_ms=1000), clock.now_ms())
    clock.advance(2.0)
    # What warlock does before Kue reads the due ids: SET NX PX with a random id.
    assert raw.set(LOCK, "node-process-id", nx=True, px=60_000)

    assert storage.promote_due(clock.now_ms(), 1000) == []
    assert raw.hget(f"{prefix}:job:{due.id}", "state") == "delayed"
    assert raw.zrange(f"{prefix}:jobs:delayed", 0, -1) == [zid(due.id)]
    assert raw.get(LOCK) == "node-process-id"  # never taken over, nor released, by kueport

    raw.delete(LOCK)  # Node's unlock after its last job.inactive()
    assert [r.id for r in storage.promote_due(clock.now_ms(), 1000)] == [due.id]
    assert raw.hget(f"{prefix}:job:{due.id}", "state") == State.INACTIVE.value


def test_a_lock_left_by_a_crashed_node_process_only_delays_promotion_until_it_expires(
    kueport_queue: QueueFactory, prefix: str, raw: redis.Redis, node_lock: None
) -> None:
    queue = kueport_queue(prefix)  # maintenance every 50 ms
    job = queue.create("remind", {}).delay(0.01).save()
    assert raw.set(LOCK, "crashed-node", nx=True, px=KUE_LOCK_TTL_MS)
    queue.process("remind", lambda job: "done")

    time.sleep(0.5)  # ten maintenance passes
    state = raw.hget(f"{prefix}:job:{job.id}", "state")
    if raw.exists(LOCK):  # read while the lock was held (always, unless the machine stalled)
        assert state == "delayed"
    wait_for(lambda: queue.complete_count("remind") == 1, 15, "promotion after the lock expired")
    job.refresh()
    assert job.record is not None and job.record.started_at is not None
    assert job.record.started_at >= job.record.promote_at


def test_node_kue_and_kueport_promoting_the_same_delayed_jobs_run_each_once(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis, node_lock: None
) -> None:
    """Both promoters run every 50 ms on jobs falling due over 1.5 s: before the fix a few
    of 200 jobs ran twice (Node put jobs kueport had promoted and run back to inactive)."""
    queue = kueport_queue(prefix)
    total = 200
    specs = [queue.create("d", {"n": n}).delay(1.0 + (n % 30) * 0.05) for n in range(total)]
    jobs: list[Job] = queue.save_all(specs)
    node = kue.start("process_for.js", prefix, timeout=30, type="d", concurrency=4, ms=4500)
    runs = Runs()
    queue.process("d", runs.handle, concurrency=4)
    node_runs = node.result()["runs"]
    wait_for(lambda: queue.complete_count("d") == total, 20, "every job to complete")

    counts = collections.Counter(runs.ids + node_runs)
    assert sorted(counts) == sorted(job.id for job in jobs)
    assert {job_id: n for job_id, n in counts.items() if n > 1} == {}
    assert raw.zcard(f"{prefix}:jobs:delayed") == raw.zcard(f"{prefix}:jobs:inactive") == 0


def test_an_operator_promoting_every_delayed_job_beside_node_kues_promoter_runs_each_once(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis, node_lock: None
) -> None:
    """The dashboard's "promote all" (`queue.promote_delayed()`) called over and over while
    jobs fall due and Node Kue's promoter runs every 50 ms: before the fix, jobs Node had read
    as due were promoted by the operator and run by kueport, then put back to inactive by
    Node and run again."""
    queue = kueport_queue(prefix)
    total = 300
    node = kue.start("process_for.js", prefix, timeout=30, type="d", concurrency=4, ms=4000)
    runs = Runs()
    queue.process("d", runs.handle, concurrency=4)
    produced = threading.Event()

    def operator() -> None:
        while not produced.is_set() or queue.delayed_count("d"):
            queue.promote_delayed("d")
            time.sleep(0.002)

    clicking = threading.Thread(target=operator)
    clicking.start()
    ids = []
    for n in range(total):  # each due at once: Node's next pass reads it
        ids.append(queue.create("d", {"n": n}).delay(0.001).save().id)
        time.sleep(0.005)
    produced.set()
    clicking.join(30)
    node_runs = node.result()["runs"]
    wait_for(lambda: queue.complete_count("d") == total, 20, "every job to complete")

    counts = collections.Counter(runs.ids + node_runs)
    assert sorted(counts) == sorted(ids)
    assert {job_id: n for job_id, n in counts.items() if n > 1} == {}
    assert raw.zcard(f"{prefix}:jobs:delayed") == raw.zcard(f"{prefix}:jobs:inactive") == 0
