"""`queue.pause(type)` takes effect when it returns, even over a claim already in flight.

A worker waits for jobs in a blocking claim (on Redis, the claim rides behind the blocking
pop), and a busy one claims its next jobs with its completions. A job such a claim brings
after `pause()` returned is not started: it goes back to `inactive`, with no attempt counted
and its place in line kept, and runs once the worker resumes.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kueport import Job
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


class ClaimWatch:
    """Wraps the storage's claim: the worker's first claim waits long enough to still be in
    flight when the test saves a job (`entered` tells it started); `claimed` lists what the
    claims took."""

    def __init__(self, queue: Queue) -> None:
        self.entered = threading.Event()
        self.claimed: list[int] = []
        storage: Any = queue.service.storage
        real = storage.claim

        def claim(claim: Any, timeout: float) -> Any:
            first = not self.entered.is_set()
            self.entered.set()
            records = real(claim, 60.0 if first else timeout)
            self.claimed += [record.id for record in records]
            return records

        storage.claim = claim


def settled(queue: Queue, job_id: int) -> bool:
    """The job is no longer held by a worker (handed back, or run to the end)."""
    return queue.service.get(job_id).state.value != "active"


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_job_a_blocking_claim_brings_after_pause_is_handed_back_unrun(
    queue: Queue, concurrency: int
) -> None:
    watch = ClaimWatch(queue)
    ran = Recorder()
    queue.process("p", lambda job: ran(job.id), concurrency=concurrency)
    assert watch.entered.wait(10)

    queue.pause("p")
    jobs = [queue.create("p").save() for _ in range(concurrency)]

    wait_for(lambda: watch.claimed, what="the claim in flight to take a job")
    for job in jobs:
        wait_for(lambda job=job: settled(queue, job.id), what="the job to be handed back")
        record = queue.service.get(job.id)  # type: ignore[arg-type]
        assert (record.state.value, record.attempts, record.lease) == ("inactive", 0, None)
    assert ran.calls == []
    assert queue.inactive_count("p") == concurrency

    queue.resume("p")
    wait_for(lambda: queue.complete_count("p") == concurrency)
    assert sorted(call[0] for call in ran.calls) == sorted(job.id for job in jobs)


def test_a_handed_back_job_keeps_its_place_in_line(queue: Queue) -> None:
    watch = ClaimWatch(queue)
    ran = Recorder()
    worker = queue.process("p", lambda job: ran(job.id))
    assert watch.entered.wait(10)

    queue.pause("p")
    first = queue.create("p").save()
    wait_for(lambda: watch.claimed == [first.id] and settled(queue, first.id))
    later = queue.create("p").save()  # same priority, saved after: must run after `first`
    assert worker.paused

    queue.resume("p")
    assert [call[0] for call in ran.wait(2)] == [first.id, later.id]


def test_jobs_claimed_with_completions_after_pause_are_handed_back(queue: Queue) -> None:
    """A busy worker claims its next jobs in the same storage call that stores its
    successes: a pause that lands while that call is on its way starts none of them."""
    storage: Any = queue.service.storage
    pause_once = threading.Event()

    def pausing_on_the_way(real: Any) -> Any:
        def write(*args: Any, **kwargs: Any) -> Any:
            if not pause_once.is_set():
                pause_once.set()
                queue.pause("p")  # the worker already decided to claim with this write
            return real(*args, **kwargs)

        return write

    storage.complete_many = pausing_on_the_way(storage.complete_many)
    ran = Recorder()

    def handler(job: Job) -> None:
        ran(job.id)

    first, *others = queue.save_all([queue.create("p") for _ in range(3)])
    queue.process("p", handler, concurrency=1)

    wait_for(lambda: queue.complete_count("p") == 1)
    wait_for(lambda: all(settled(queue, job.id) for job in others))
    assert ran.calls == [(first.id,)]
    for job in others:
        record = queue.service.get(job.id)  # type: ignore[arg-type]
        assert (record.state.value, record.attempts) == ("inactive", 0)

    queue.resume("p")
    wait_for(lambda: queue.complete_count("p") == 3)
    assert [call[0] for call in ran.calls] == [first.id, *(job.id for job in others)]
