"""A retry policy that cannot give a delay never loses the failure it was asked about.

A job names its backoff; the callable lives in the worker process. When it is not
registered there, raises, or answers something that is not a usable number of seconds, the
failed attempt is still stored at once (the handler's error, the attempt counted) and the
job retried after its own delay, with a note in its error; the policy's problem goes to the
queue's `error` listeners.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from kueport import InvalidJobOption, Job, ManualClock
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def boom(job: Job) -> None:
    raise RuntimeError("the handler's own error")


def raises(attempts: int, delay: float) -> float:
    return 1 / 0


BAD_POLICIES: dict[str, Callable[[int, float], object]] = {
    "raises": raises,
    "answers-none": lambda attempts, delay: None,
    "answers-a-string": lambda attempts, delay: "5",
    "answers-nan": lambda attempts, delay: math.nan,
    "answers-inf": lambda attempts, delay: math.inf,
    "answers-a-huge-int": lambda attempts, delay: 10**400,
}


@pytest.mark.parametrize("policy", list(BAD_POLICIES), ids=list(BAD_POLICIES))
def test_a_failing_backoff_keeps_the_failure_and_retries_after_the_jobs_own_delay(
    queue: Queue, clock: ManualClock, policy: str
) -> None:
    problems = Recorder()
    queue.on("error", problems)
    queue.register_backoff("bad", BAD_POLICIES[policy])  # type: ignore[arg-type]
    job = queue.create("bf").delay(0.1).attempts(2).backoff("bad").save()
    queue.process("bf", boom)
    clock.advance(0.1)

    wait_for(lambda: job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    record = job.record
    assert record is not None and record.failed_at is not None
    assert record.state.value == "delayed"
    assert record.promote_at == record.failed_at + 100  # the job's own delay
    assert record.error is not None
    assert record.error.startswith("RuntimeError: the handler's own error")
    assert "backoff 'bad'" in record.error and "retried after the job's own delay" in record.error
    [(problem,)] = problems.wait(1)
    assert isinstance(problem, InvalidJobOption) and "'bad'" in str(problem)

    clock.advance(0.1)
    wait_for(lambda: queue.failed_count("bf") == 1)
    final = queue.service.get(job.id)  # type: ignore[arg-type]
    assert final.attempts == 2
    assert final.error is not None and final.error.startswith("RuntimeError: the handler's own")


def test_a_backoff_answering_a_negative_delay_keeps_the_old_delay_as_kue_does(
    queue: Queue, clock: ManualClock
) -> None:
    problems = Recorder()
    queue.on("error", problems)
    queue.register_backoff("negative", lambda attempts, delay: -5)
    job = queue.create("bf").delay(0.1).attempts(2).backoff("negative").save()
    queue.process("bf", boom)
    clock.advance(0.1)

    wait_for(lambda: job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    record = job.record
    assert record is not None and record.failed_at is not None
    assert record.promote_at == record.failed_at + 100
    assert record.error is not None and "kueport:" not in record.error
    assert problems.calls == []


def test_a_backoff_nobody_registered_is_reported_to_error_listeners(
    queue: Queue, clock: ManualClock
) -> None:
    problems = Recorder()
    queue.on("error", problems)
    job = queue.create("bf").delay(0.1).attempts(2).backoff("nobody-registered-this").save()
    queue.process("bf", boom)
    clock.advance(0.1)

    wait_for(lambda: job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    [(problem,)] = problems.wait(1)
    assert "nobody-registered-this" in str(problem)
