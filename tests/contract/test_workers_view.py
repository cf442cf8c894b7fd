"""Which workers are alive and what each runs, as any process on the same storage sees it."""

from __future__ import annotations

import os
import threading

from kueport import Job, ManualClock, WorkerInfo
from kueport.domain.workers import WORKER_TTL_MS
from kueport.queue import Queue
from tests.helpers import wait_for


def test_a_processing_worker_is_listed_with_what_it_runs(queue: Queue) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> None:
        started.set()
        release.wait(30)

    job = queue.create("slow").save()
    worker = queue.process("slow", slow, concurrency=3)
    assert started.wait(10)

    # The maintenance pass beats every few ms; wait for a heartbeat taken while the job runs.
    wait_for(lambda: [w.running for w in queue.live_workers()] == [(job.id,)])
    (seen,) = queue.live_workers()
    assert (seen.worker_id, seen.job_type, seen.concurrency) == (worker.worker_id, "slow", 3)
    assert (seen.pid, seen.paused) == (os.getpid(), False)
    release.set()
    wait_for(lambda: [w.running for w in queue.live_workers()] == [()])


def test_a_worker_that_stops_cleanly_leaves_the_list_at_once(queue: Queue) -> None:
    queue.process("a", lambda job: None)
    queue.process("b", lambda job: None)
    queue.run_maintenance()
    assert sorted(w.job_type for w in queue.live_workers()) == ["a", "b"]

    queue.shutdown(timeout=1, job_type="a")
    assert [w.job_type for w in queue.live_workers()] == ["b"]


def test_a_worker_not_heard_from_is_presumed_gone(queue: Queue, clock: ManualClock) -> None:
    now = clock.now_ms()
    ghost = WorkerInfo("ghost", "email", "elsewhere", 4242, 1, now, now)
    queue.service.beat(ghost)
    assert [w.worker_id for w in queue.live_workers()] == ["ghost"]

    clock.advance(WORKER_TTL_MS / 1000 + 0.001)
    assert queue.live_workers() == []
