"""`kueport worker --processes N` as real processes against a real redis-server.

Each test writes a worker module into tmp_path, starts `python -m kueport worker` there and
produces jobs from the test process. Waits are generous and nothing asserts on timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kueport.queue import Queue
from tests.faults.invariants import check_invariants
from tests.faults.processes import WAIT, WorkerProcess
from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow


def test_two_processes_share_the_jobs_and_stop_cleanly(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        queue = kueport.create_queue(
            redis=os.environ["KUEPORT_TEST_REDIS"], prefix=os.environ["KUEPORT_TEST_PREFIX"]
        )

        @queue.process("echo")
        def echo(job):
            time.sleep(0.01)
            return {"pid": os.getpid(), "parent": os.getppid()}
        """,
        "jobs:queue",
        "--processes",
        "2",
    )
    worker.wait_processing(2)
    jobs = [producer.create("echo", {"n": n}).save() for n in range(200)]
    worker.wait(lambda: producer.complete_count("echo") == 200, "200 complete jobs")

    results = [producer.get_job(job.id or 0).result for job in jobs]
    pids = {result["pid"] for result in results}  # type: ignore[index]
    assert {result["parent"] for result in results} == {worker.process.pid}  # type: ignore[index]
    assert pids == set(worker.children())
    assert len(pids) == 2

    assert worker.stop() == 0, worker.log
    assert producer.active_count() == 0
    assert producer.failed_count() == 0
    check_invariants(redis_server.client(), prefix, [job.id or 0 for job in jobs])


def test_sigterm_fails_running_jobs_with_shutdown_after_the_timeout(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    """The handlers block the shutdown (they never return): the timeout ends it anyway."""
    worker = start(
        """
        queue = kueport.create_queue(
            redis=os.environ["KUEPORT_TEST_REDIS"], prefix=os.environ["KUEPORT_TEST_PREFIX"]
        )

        def setup():
            @queue.process("slow", concurrency=2)
            def slow(job):
                time.sleep(60)

            return queue
        """,
        "jobs:setup",
        "--processes",
        "2",
        "--shutdown-timeout",
        "0.5",
    )
    worker.wait_processing(2)
    last = [producer.create("slow", {"n": n}, attempts=1).save() for n in range(2)]
    retried = [producer.create("slow", {"n": n}, attempts=2).save() for n in range(2)]
    worker.wait(lambda: producer.active_count("slow") == 4, "4 active jobs")

    assert worker.stop() == 0, worker.log

    assert producer.active_count() == 0
    for job in last:
        job.refresh()
        assert (job.state, job.error) == ("failed", "Shutdown")
    for job in retried:
        job.refresh()
        assert job.state == "inactive"
        # Usually "Shutdown"; None when the other child, itself stopping, claimed the requeued
        # job in its last claim and handed it back untouched (the hand-back clears the error).
        assert job.error in ("Shutdown", None)
    # The retried jobs wait, inactive, for the next worker: only the last two are final.
    client = redis_server.client()
    check_invariants(client, prefix, [job.id or 0 for job in last])


def test_a_second_signal_kills_the_children_at_once(
    start: Callable[..., WorkerProcess], producer: Queue
) -> None:
    worker = start(
        """
        queue = kueport.create_queue(
            redis=os.environ["KUEPORT_TEST_REDIS"], prefix=os.environ["KUEPORT_TEST_PREFIX"]
        )

        @queue.process("slow")
        def slow(job):
            time.sleep(60)
        """,
        "jobs:queue",
        "--processes",
        "2",
        "--shutdown-timeout",
        "60",
    )
    worker.wait_processing(2)
    for n in range(2):
        producer.create("slow", {"n": n}).save()
    worker.wait(lambda: producer.active_count("slow") == 2, "2 active jobs")

    worker.process.send_signal(signal.SIGINT)
    worker.wait(lambda: worker.log.count("shutting down (waiting") == 2, "both children stopping")
    worker.process.send_signal(signal.SIGINT)

    assert worker.process.wait(WAIT) == 1, worker.log
    assert "second signal" in worker.log
    for pid in worker.children():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_killed_child_is_restarted_and_its_job_recovered(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        queue = kueport.create_queue(
            redis=os.environ["KUEPORT_TEST_REDIS"],
            prefix=os.environ["KUEPORT_TEST_PREFIX"],
            lease=1,
            maintenance_interval=0.1,
            # A 1 s lease is tight on a loaded 2-core machine: a live child's renewal may come
            # late and count as a stall, so allow a few before failing the job.
            max_stalled=3,
        )

        @queue.process("work")
        def work(job):
            marker = MARKERS / f"{job.id}-{os.getpid()}"
            first = not any(MARKERS.glob(f"{job.id}-*"))
            marker.touch()
            if first and job.data["long"]:
                time.sleep(60)  # killed before it ends
            time.sleep(0.05)
            return {"pid": os.getpid()}
        """,
        "jobs:queue",
        "--processes",
        "2",
    )
    worker.wait_processing(2)
    long_job = producer.create("work", {"long": True}).save()
    markers = Path(worker.output.parent / "markers")
    worker.wait(lambda: any(markers.glob(f"{long_job.id}-*")), "the long job to start")
    victim = int(next(markers.glob(f"{long_job.id}-*")).name.split("-")[1])
    others = [producer.create("work", {"long": False}).save() for _ in range(10)]

    os.kill(victim, signal.SIGKILL)

    worker.wait(lambda: "died unexpectedly" in worker.log, "the death to be noticed")
    worker.wait(lambda: len(worker.children()) == 3, "a restarted child")
    try:
        worker.wait(lambda: producer.complete_count("work") == 11, "11 complete jobs")
    except AssertionError as failure:
        states = [(j.id, j.refresh().state, j.error) for j in [long_job, *others]]
        seen = sorted(m.name for m in markers.iterdir())
        raise AssertionError(
            f"{states}\n{seen}\n{long_job.refresh().to_dict()}\n{failure}"
        ) from None

    long_job.refresh()
    assert long_job.state == "complete"
    assert long_job.result["pid"] != victim  # type: ignore[index]
    for job in others:
        job.refresh()
        assert job.state == "complete"

    assert worker.stop() == 0, worker.log
    assert producer.active_count() == 0
    assert producer.failed_count() == 0
    check_invariants(redis_server.client(), prefix, [job.id or 0 for job in [long_job, *others]])


def test_kueport_workers_lists_the_live_worker_processes_and_their_running_jobs(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        queue = test_queue(maintenance_interval=0.1)

        @queue.process("slow", concurrency=2)
        def slow(job, ctx):
            ctx.wait_cancelled(60)
        """,
        "jobs:queue",
        "--processes",
        "2",
        "--shutdown-timeout",
        "0",
    )
    worker.wait_processing(2)
    job = producer.create("slow", {}).save()
    worker.wait(lambda: producer.active_count() == 1, "the job to start")

    def listed() -> list[dict[str, object]]:
        argv = ["workers", "-r", redis_server.url, "-q", prefix, "--json"]
        out = subprocess.run(
            [sys.executable, "-m", "kueport", *argv], capture_output=True, text=True, check=True
        ).stdout
        workers: list[dict[str, object]] = json.loads(out)["workers"]
        return workers

    worker.wait(lambda: any(w["running"] == [job.id] for w in listed()), "the job in a listing")
    rows = listed()
    assert sorted(w["pid"] for w in rows) == sorted(worker.children())  # type: ignore[type-var]
    assert {(w["type"], w["concurrency"]) for w in rows} == {("slow", 2)}

    assert worker.stop() == 0, worker.log
    assert listed() == []  # a clean stop removes the heartbeats at once
