"""An `async def` handler whose task ends cancelled.

kueport cancels a handler's task itself only after taking its job away (TTL, shutdown,
lost lease), and has already stored that outcome. Any other cancellation (the handler
awaited a future that something else cancelled) is the handler's own failure: the attempt
counts, the error says so, and the slot goes to the next job.
"""

from __future__ import annotations

import asyncio
import threading

from kueport import Job, ManualClock
from kueport.domain.ttl import TTL_EXCEEDED
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


async def awaits_a_cancelled_future(job: Job) -> str:
    """What a handler sees when a shared request future it awaits is cancelled elsewhere."""
    if job.data.get("cancel"):
        future = asyncio.get_running_loop().create_future()
        future.cancel()
        await future
    return "ok"


def test_a_handler_cancelled_by_something_else_fails_its_attempt(queue: Queue) -> None:
    job = queue.create("ac", {"cancel": True}).save()
    queue.process("ac", awaits_a_cancelled_future)

    wait_for(lambda: queue.failed_count("ac") == 1)
    record = queue.service.get(job.id)  # type: ignore[arg-type]
    assert record.error == "CancelledError: handler was cancelled"
    assert record.attempts == 1


def test_a_cancelled_attempt_is_retried_while_attempts_remain(queue: Queue) -> None:
    failed_attempts = Recorder()
    job = queue.create("ac", {"cancel": True}).attempts(2)
    job.on("failed attempt", failed_attempts).save()
    queue.process("ac", awaits_a_cancelled_future)

    wait_for(lambda: queue.failed_count("ac") == 1)
    assert failed_attempts.wait(1)[0] == ("handler was cancelled", 1)
    assert queue.service.get(job.id).attempts == 2  # type: ignore[arg-type]


def test_a_cancelled_handler_frees_its_slot_for_the_next_job(queue: Queue) -> None:
    cancelled = queue.create("ac", {"cancel": True}).save()
    after = queue.create("ac", {"cancel": False}).save()
    queue.process("ac", awaits_a_cancelled_future, concurrency=1)

    wait_for(lambda: queue.complete_count("ac") == 1)
    assert after.refresh().result == "ok"
    assert cancelled.refresh().state == "failed"
    wait_for(lambda: queue.workers[0].active_jobs == [])


def test_a_ttl_cancellation_keeps_its_own_outcome(queue: Queue, clock: ManualClock) -> None:
    started = threading.Event()

    async def sleeps(job: Job) -> None:
        started.set()
        await asyncio.sleep(60)  # cancelled by kueport when the TTL runs out

    job = queue.create("slow").ttl(0.2).save()
    queue.process("slow", sleeps)
    assert started.wait(10)
    clock.advance(0.2)

    wait_for(lambda: queue.failed_count("slow") == 1)
    wait_for(lambda: queue.workers[0].active_jobs == [])
    record = queue.service.get(job.id)  # type: ignore[arg-type]
    assert (record.error, record.attempts) == (TTL_EXCEEDED, 1)


def test_a_shutdown_cancellation_keeps_its_own_outcome(queue: Queue) -> None:
    started = threading.Event()

    async def sleeps(job: Job) -> None:
        started.set()
        await asyncio.sleep(60)  # cancelled by kueport when the shutdown times out

    job = queue.create("slow").attempts(3).save()
    queue.process("slow", sleeps)
    assert started.wait(10)
    queue.shutdown(timeout=0.05)

    record = queue.service.get(job.id)  # type: ignore[arg-type]
    assert (record.state.value, record.error, record.attempts) == ("inactive", "Shutdown", 1)
