"""Kue's test mode: jobs are collected in memory; processing only when asked for."""

from __future__ import annotations

import attrs

import kueport
from kueport import ManualClock
from kueport.queue import Queue
from tests.conftest import make_backend
from tests.helpers import wait_for


def test_entering_test_mode_collects_saved_jobs_without_processing(queue: Queue) -> None:
    queue.process("email", lambda job: None)
    queue.testmode.enter()
    job = queue.create("email", {"to": "a"}).save()

    assert queue.testmode.jobs == [job]
    assert queue.testmode.jobs[0].type == "email"
    assert queue.testmode.jobs[0].data == {"to": "a"}
    assert job.id is not None
    assert queue.get_job(job.id).state == "inactive"


def test_clear_forgets_the_collected_jobs(queue: Queue) -> None:
    queue.testmode.enter()
    queue.create("email").save()
    queue.testmode.clear()
    assert queue.testmode.jobs == []
    assert queue.count() == 0


def test_enter_with_process_runs_the_jobs(queue: Queue) -> None:
    queue.testmode.enter(process=True)
    queue.process("email", lambda job: "sent")
    job = queue.create("email").save()
    wait_for(lambda: job.refresh().state == "complete")
    assert job.result == "sent"


def test_exit_restores_the_real_backend(queue: Queue) -> None:
    before = queue.create("email").save()
    queue.testmode.enter()
    queue.create("email").save()
    queue.create("email").save()
    assert queue.count() == 2
    queue.testmode.exit()

    assert queue.testmode.jobs == []
    assert queue.inactive() == [before.id]
    assert not queue.testmode.active


def test_a_job_running_when_test_mode_starts_finishes_on_the_real_backend(queue: Queue) -> None:
    import threading

    started, release = threading.Event(), threading.Event()

    def handler(job):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(30)
        job.log("still writing to the real backend")
        return "done"

    real = queue.create("slow").save()
    queue.process("slow", handler)
    assert started.wait(10)
    queue.testmode.enter()
    release.set()
    wait_for(lambda: queue.testmode.active and not queue.workers[0].active_jobs)
    queue.testmode.exit()

    assert real.refresh().state == "complete"
    assert real.result == "done"
    assert real.logs() == ["still writing to the real backend"]


def test_shutting_down_in_test_mode_closes_the_real_backend_as_well(adapter: str) -> None:
    closed: list[str] = []
    real = make_backend(adapter, ManualClock())
    backend = attrs.evolve(real, on_close=(*real.on_close, lambda: closed.append("real")))
    queue = kueport.create_queue(backend=backend)
    queue.testmode.enter()
    queue.create("email").save()

    queue.shutdown(timeout=0)

    assert closed == ["real"]
    assert not queue.testmode.active
