"""A success storage refuses, or fails to store, costs its job only: the worker carries on.

Each case runs with one slot (a sync worker storing each success alone, `complete_one`) and
with three (successes stored in batches, `complete_many`), since the two take different
paths through the worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from kueport.domain.errors import LeaseLost
from kueport.ports.storage import Claim, Completed, Completion, Settled
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for

SLOTS = pytest.mark.parametrize("concurrency", [1, 3], ids=["one slot", "three slots"])


def _refuse_once(queue: Queue, job_id: int, refusal: Exception | None) -> list[Exception]:
    """Make the storage refuse the success of `job_id` once: with `refusal` in its place
    (the job untouched), or, when None, by raising an error for the whole call."""
    storage = queue.service.storage
    real = storage.complete_many
    refused: list[Exception] = []
    lock = threading.Lock()

    def complete_many(
        completions: Sequence[Completion], now: int, then_claim: Claim | None = None
    ) -> Completed:
        with lock:
            ours = not refused and any(done.job_id == job_id for done in completions)
            if ours:
                refused.append(refusal or RuntimeError("the store went away"))
        if not ours:
            return real(completions, now, then_claim)
        if refusal is None:
            raise refused[0]
        others = [done for done in completions if done.job_id != job_id]
        stored = real(others, now, then_claim)
        settled = iter(stored.settled)
        outcomes: list[Settled | Exception] = [
            refusal if done.job_id == job_id else next(settled) for done in completions
        ]
        return Completed(outcomes, stored.claimed)

    setattr(storage, "complete_many", complete_many)  # noqa: B010 (an instance's method)
    return refused


@SLOTS
def test_a_success_refused_for_a_lost_lease_is_logged_and_the_next_jobs_run(
    queue: Queue, concurrency: int, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = queue.save_all([queue.create("refused", {"n": n}) for n in range(6)])
    refused = _refuse_once(queue, jobs[0].id, LeaseLost(jobs[0].id))
    caplog.set_level(logging.INFO, logger="kueport.worker")

    queue.process("refused", lambda job: job.data["n"], concurrency=concurrency)

    logged = f"job {jobs[0].id} was taken away before its outcome was stored"
    # Five others complete; the first's success may be the last one written (three slots).
    wait_for(lambda: logged in caplog.text and queue.complete_count("refused") == 5)
    assert len(refused) == 1
    assert queue.get_job(jobs[0].id).state == "active"  # never stored: the refusal kept it
    assert all(queue.get_job(job.id).state == "complete" for job in jobs[1:])


@SLOTS
def test_a_store_that_fails_is_reported_and_the_worker_takes_the_next_jobs(
    queue: Queue, concurrency: int
) -> None:
    errors = Recorder()
    queue.on("error", errors)
    jobs = queue.save_all([queue.create("flaky", {"n": n}) for n in range(6)])
    refused = _refuse_once(queue, jobs[0].id, None)

    queue.process("flaky", lambda job: None, concurrency=concurrency)

    reported: list[Any] = errors.wait(1)
    assert len(refused) == 1 and reported[0][0] is refused[0]
    # The failed call may have carried other jobs' successes (three slots): those stay
    # active like the first (until stall recovery), and every other job completes.
    wait_for(lambda: queue.complete_count("flaky") + queue.active_count("flaky") == 6)
    assert queue.complete_count("flaky") >= 6 - concurrency
    assert queue.inactive_count("flaky") == 0
