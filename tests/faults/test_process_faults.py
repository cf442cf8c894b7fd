"""Handlers that misbehave, and worker processes killed again and again, with real processes.

Each test ends with `check_invariants`: every job in exactly one final state, none lost,
none stuck, every index consistent with the job hashes, tokens equal to inactive jobs.
"""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.faults.invariants import check_invariants
from tests.faults.processes import WorkerProcess, alive
from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow


def test_a_handler_that_never_returns_fails_by_ttl_and_its_process_is_replaced(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        queue = test_queue(maintenance_interval=0.1)

        @queue.process("deaf")
        def deaf(job):
            time.sleep(3600)  # never looks at ctx.cancelled

        @queue.process("echo")
        def echo(job):
            return {"pid": os.getpid()}
        """,
        "jobs:queue",
        "--cancel-grace",
        "0.5",
    )
    worker.wait_processing(1)
    first_child = worker.children()[0]
    stuck = producer.create("deaf", {}).ttl(1).attempts(1).save()

    worker.wait(lambda: stuck.refresh().state == "failed", "the TTL failure")
    assert stuck.error == "TTL exceeded"
    worker.wait(lambda: len(worker.children()) == 2, "a fresh worker process")
    assert "a handler was stuck" in worker.log
    worker.wait(lambda: not alive(first_child), "the stuck process to be gone")

    echo = producer.create("echo", {}).save()
    worker.wait(lambda: echo.refresh().state == "complete", "the next job on the new process")
    assert echo.result == {"pid": worker.children()[1]}
    assert worker.stop() == 0, worker.log
    check_invariants(redis_server.client(), prefix, [stuck.id or 0, echo.id or 0])


def test_a_handler_that_raises_is_retried_in_any_process_then_failed_with_its_error(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        queue = test_queue()

        @queue.process("flaky", concurrency=2)
        def flaky(job):
            made = job.record.attempts_info.made
            if made < job.data["fail_times"]:
                raise ValueError(f"attempt {made + 1} of job {job.id} broke")
            return {"attempt": made + 1}
        """,
        "jobs:queue",
        "--processes",
        "2",
    )
    worker.wait_processing(2)
    recovers = [producer.create("flaky", {"fail_times": 2}).attempts(3).save() for _ in range(20)]
    gives_up = [producer.create("flaky", {"fail_times": 9}).attempts(3).save() for _ in range(20)]
    finished = lambda: producer.complete_count() + producer.failed_count() == 40  # noqa: E731
    worker.wait(finished, "40 finished jobs")

    for job in recovers:
        job.refresh()
        assert (job.state, job.result) == ("complete", {"attempt": 3})
    for job in gives_up:
        job.refresh()
        assert job.state == "failed"
        # Like Kue, the error is the stack: its first line is the exception.
        assert (job.error or "").startswith(f"ValueError: attempt 3 of job {job.id} broke\n")
    assert worker.stop() == 0, worker.log
    check_invariants(redis_server.client(), prefix, [j.id or 0 for j in recovers + gives_up])


def test_worker_processes_killed_again_and_again_while_producers_add_jobs_lose_nothing(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        import random

        # Stalls are expected here: allow many before a job would fail for them.
        queue = test_queue(lease=2, maintenance_interval=0.1, max_stalled=50)

        @queue.process("work", concurrency=4)
        def work(job):
            time.sleep(random.uniform(0.01, 0.15))
            return {"i": job.data["i"]}
        """,
        "jobs:queue",
        "--processes",
        "2",
    )
    worker.wait_processing(2)
    ids: list[int] = []
    stop_producing = threading.Event()

    def produce() -> None:
        for i in range(600):
            if stop_producing.is_set():
                return
            ids.append(producer.create("work", {"i": i}).save().id or 0)
            stop_producing.wait(0.01)

    producing = threading.Thread(target=produce)
    producing.start()
    rng = random.Random(7)
    kills = 0
    try:
        while kills < 8:
            stop_producing.wait(0.7)
            children = [pid for pid in worker.children() if alive(pid)]
            if children:
                os.kill(rng.choice(children), signal.SIGKILL)
                kills += 1
    finally:
        producing.join(60)
        stop_producing.set()
    assert len(ids) == 600
    assert worker.log.count("died unexpectedly") >= kills - 1  # the last may still be noticed

    worker.wait(lambda: producer.complete_count("work") == 600, "600 complete jobs")
    assert worker.stop() == 0, worker.log
    assert producer.failed_count() == 0
    assert [producer.get_job(job_id).result for job_id in ids] == [{"i": i} for i in range(600)]
    check_invariants(redis_server.client(), prefix, ids)
