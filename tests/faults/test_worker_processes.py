"""`kueport worker --processes N` as real processes against a real redis-server.

Each test writes a worker module into tmp_path, starts `python -m kueport worker` there and
produces jobs from the test process. Waits are generous and nothing asserts on timing.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kueport
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
WAIT = 30.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """`python -m kueport worker ...` in `directory`, its output (and its children's) in a file."""

    def __init__(self, directory: Path, env: dict[str, str], *args: str) -> None:
        self.output = directory / "worker.log"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kueport", "worker", *args],
                cwd=directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def children(self, index: int | None = None) -> list[int]:
        """Pids of the children started so far, oldest first (of one slot with `index`)."""
        slot = r"\d+" if index is None else str(index)
        return [
            int(p) for p in re.findall(rf"started worker process {slot} \(pid (\d+)\)", self.log)
        ]

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        """Wait for `condition`; fail at once (with the log) should the worker exit."""

        def done() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited while waiting for {what}:\n{self.log}")
            return condition()

        try:
            wait_for(done, what)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{self.log}") from None

    def wait_processing(self, count: int) -> None:
        self.wait(
            lambda: self.log.count("INFO kueport.supervisor: processing") >= count,
            f"{count} children processing",
        )

    def stop(self, timeout: float = WAIT) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the worker did not stop:\n{self.log}") from None

    def kill_everything(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in self.children():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def env(redis_server: RedisServer, prefix: str, tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(REPO),
        KUEPORT_TEST_REDIS=redis_server.url,
        KUEPORT_TEST_PREFIX=prefix,
        KUEPORT_TEST_MARKERS=str(tmp_path / "markers"),
    )


@pytest.fixture
def producer(redis_server: RedisServer, prefix: str) -> Iterator[Queue]:
    queue = kueport.create_queue(redis=redis_server.url, prefix=prefix)
    yield queue
    queue.shutdown(timeout=0)


@pytest.fixture
def start(tmp_path: Path, env: dict[str, str]) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def run(module: str, *args: str) -> WorkerProcess:
        (tmp_path / "markers").mkdir(exist_ok=True)
        source = textwrap.dedent(HEADER) + textwrap.dedent(module)
        (tmp_path / "jobs.py").write_text(source, encoding="utf-8")
        worker = WorkerProcess(tmp_path, env, *args)
        started.append(worker)
        return worker

    yield run
    for worker in started:
        worker.kill_everything()


HEADER = """
    import os, pathlib, time
    import kueport

    MARKERS = pathlib.Path(os.environ["KUEPORT_TEST_MARKERS"])
"""


def test_two_processes_share_the_jobs_and_stop_cleanly(
    start: Callable[..., WorkerProcess], producer: Queue
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


def test_sigterm_fails_running_jobs_with_shutdown_after_the_timeout(
    start: Callable[..., WorkerProcess], producer: Queue
) -> None:
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
    start: Callable[..., WorkerProcess], producer: Queue
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
