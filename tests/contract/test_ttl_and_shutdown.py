"""TTL expiry, graceful shutdown, pause and resume."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kueport import Context, Job, ManualClock, ShutdownInProgress
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def test_a_job_past_its_ttl_fails_with_ttl_exceeded_and_its_handler_is_told(
    queue: Queue, clock: ManualClock
) -> None:
    started, stopped = threading.Event(), threading.Event()
    failed = Recorder()

    def stuck(job: Job, ctx: Context) -> None:
        started.set()
        ctx.wait_cancelled(30)
        if ctx.cancelled:
            stopped.set()

    job = queue.create("stuck").ttl(0.5).on("failed", failed).save()
    queue.process("stuck", stuck)
    assert started.wait(10)
    clock.advance(0.5)

    assert failed.wait(1) == [("TTL exceeded",)]
    assert stopped.wait(10)
    assert job.refresh().state == "failed"
    assert job.error == "TTL exceeded"


def test_after_a_ttl_failure_the_next_job_starts_with_concurrency_one(
    queue: Queue, clock: ManualClock
) -> None:
    release = threading.Event()
    seen = Recorder()

    def handler(job: Job) -> None:
        seen(job.data["n"])
        if job.data["n"] == 1:
            release.wait(30)

    queue.create("serial", {"n": 1}).ttl(0.5).save()
    queue.create("serial", {"n": 2}).save()
    queue.process("serial", handler, concurrency=1)
    seen.wait(1)
    clock.advance(0.5)
    assert [c[0] for c in seen.wait(2)] == [1, 2]
    release.set()
    wait_for(lambda: queue.complete_count() == 1 and queue.failed_count() == 1)


def test_a_late_result_from_a_timed_out_handler_is_ignored(
    queue: Queue, clock: ManualClock
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> str:
        started.set()
        release.wait(30)
        return "too late"

    job = queue.create("slow").ttl(1).save()
    queue.process("slow", slow)
    assert started.wait(10)
    clock.advance(1)
    wait_for(lambda: queue.failed_count() == 1)
    release.set()
    queue.shutdown(timeout=5)
    assert job.refresh().state == "failed"
    assert job.result is None


def test_a_handler_that_ignores_its_cancellation_is_reported_stuck_until_it_returns(
    queue: Queue, clock: ManualClock
) -> None:
    started, release = threading.Event(), threading.Event()

    def deaf(job: Job) -> None:
        started.set()
        release.wait(30)  # never looks at ctx.cancelled

    job = queue.create("deaf").ttl(1).save()
    queue.process("deaf", deaf)
    assert started.wait(10)
    assert queue.stuck_jobs(grace=0) == []  # running within its TTL is not stuck
    clock.advance(1)
    wait_for(lambda: queue.failed_count() == 1)

    # The sweep stores the failure, then takes the job from its worker: wait for both.
    wait_for(lambda: queue.stuck_jobs(grace=0) == [job.id])
    assert queue.stuck_jobs(grace=3600) == []  # still inside the grace period
    release.set()
    wait_for(lambda: queue.stuck_jobs(grace=0) == [])


def test_ttl_cancels_an_async_handler(queue: Queue, clock: ManualClock) -> None:
    cancelled = threading.Event()
    started = threading.Event()

    async def handler(job: Job) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    queue.create("async").ttl(0.2).save()
    queue.process("async", handler)
    assert started.wait(10)
    clock.advance(0.2)
    assert cancelled.wait(10)
    wait_for(lambda: queue.failed_count() == 1)


def test_ttl_failures_retry_when_attempts_remain(queue: Queue, clock: ManualClock) -> None:
    runs = Recorder()

    def handler(job: Job, ctx: Context) -> None:
        runs(job.record.attempts)  # type: ignore[union-attr]
        if len(runs.calls) == 1:
            ctx.wait_cancelled(30)

    job = queue.create("ttl").ttl(0.5).attempts(2).remove_on_complete(True).save()
    queue.process("ttl", handler)
    runs.wait(1)
    clock.advance(0.5)
    assert [c[0] for c in runs.wait(2)] == [0, 1]
    wait_for(lambda: queue.count() == 0)
    assert job.id not in queue.complete()


def test_shutdown_waits_for_a_running_job_to_finish(queue: Queue) -> None:
    started, release = threading.Event(), threading.Event()

    def handler(job: Job) -> str:
        started.set()
        release.wait(30)
        return "finished"

    job = queue.create("work").save()
    queue.process("work", handler)
    assert started.wait(10)
    threading.Timer(0.05, release.set).start()
    queue.shutdown(timeout=30)

    assert job.refresh().state == "complete"
    assert queue.closed


def test_shutdown_timeout_fails_the_running_job_with_shutdown(queue: Queue) -> None:
    started = threading.Event()
    job = queue.create("work").save()
    queue.process("work", lambda job, ctx: (started.set(), ctx.wait_cancelled(30)))
    assert started.wait(10)

    queue.shutdown(timeout=0.05)
    job.refresh()
    assert (job.state, job.error) == ("failed", "Shutdown")


def test_shutdown_timeout_requeues_when_attempts_remain(queue: Queue) -> None:
    started = threading.Event()
    job = queue.create("work").attempts(2).save()
    queue.process("work", lambda job, ctx: (started.set(), ctx.wait_cancelled(30)))
    assert started.wait(10)

    queue.shutdown(timeout=0.05)
    record = queue.service.get(job.id)  # type: ignore[arg-type]
    assert (record.state.value, record.error, record.attempts) == ("inactive", "Shutdown", 1)


def test_a_second_shutdown_during_the_first_raises(queue: Queue) -> None:
    started, release = threading.Event(), threading.Event()
    queue.create("work").save()
    queue.process("work", lambda job: (started.set(), release.wait(30)))
    assert started.wait(10)
    first = threading.Thread(target=queue.shutdown, kwargs={"timeout": 30})
    first.start()
    wait_for(lambda: queue._shutting_down)

    with pytest.raises(ShutdownInProgress, match="Shutdown already in progress"):
        queue.shutdown()
    release.set()
    first.join(10)
    assert queue.closed


def test_shutting_down_one_type_keeps_the_others_running(queue: Queue) -> None:
    queue.process("a", lambda job: None)
    queue.process("b", lambda job: None)
    queue.shutdown(timeout=1, job_type="a")
    queue.create("a").save()
    queue.create("b").save()

    wait_for(lambda: queue.complete_count("b") == 1)
    assert queue.inactive_count("a") == 1
    assert not queue.closed


def test_ctx_pause_stops_taking_jobs_until_resume(queue: Queue) -> None:
    contexts: list[Context] = []
    seen = Recorder()

    def handler(job: Job, ctx: Context) -> None:
        seen(job.id)
        if not contexts:
            contexts.append(ctx)
            ctx.pause()

    first = queue.create("p").save()
    queue.process("p", handler)
    seen.wait(1)
    second = queue.create("p").save()
    wait_for(lambda: queue.complete_count() == 1)
    assert queue.inactive() == [second.id]

    contexts[0].resume()
    assert [c[0] for c in seen.wait(2)] == [first.id, second.id]


def test_a_closed_queue_refuses_new_jobs(queue: Queue) -> None:
    from kueport import QueueClosed

    queue.shutdown()
    with pytest.raises(QueueClosed):
        queue.create("x").save()
