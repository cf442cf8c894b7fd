"""What happens after an attempt: Kue's attempts arithmetic and the retry decision.

The service computes a plan from the job the worker holds, and storage applies it in one
atomic step; storage never decides policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import attrs

from kueport.domain.backoff import BackoffFunction, next_delay_ms
from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.domain.tuples import tuple_builder


@attrs.frozen
class FailurePlan:
    """The outcome of one failed attempt."""

    attempts: int
    next_state: State
    delay_ms: int
    promote_at: int
    remove: bool = False

    @property
    def will_retry(self) -> bool:
        return self.next_state is not State.FAILED


class SuccessPlan(NamedTuple):
    """The outcome of a successful attempt.

    A `NamedTuple` like `JobRecord`, not a frozen attrs class: every completed job gets one,
    and building a frozen attrs instance (one `object.__setattr__` per field) cost twice
    as much as the tuple.
    """

    attempts: int
    duration_ms: int
    remove: bool


_SUCCESS_PLAN = tuple_builder(SuccessPlan)


def attempts_after(job: JobRecord) -> int:
    """Kue increments `attempts` only while it is below `max_attempts` (success or failure)."""
    return job.attempts + 1 if job.attempts < job.max_attempts else job.attempts


def plan_success(job: JobRecord, now: int) -> SuccessPlan:
    started = job.started_at
    duration = 0 if started is None or started >= now else now - started  # no builtin max
    return _SUCCESS_PLAN((attempts_after(job), duration, job.remove_on_complete))


def plan_failure(
    job: JobRecord, now: int, registry: Mapping[str, BackoffFunction] | None = None
) -> FailurePlan:
    """Retry at once without backoff, after the backoff delay with it, or fail for good."""
    attempts = attempts_after(job)
    remaining = max(0, job.max_attempts - attempts)
    if remaining == 0:
        return FailurePlan(
            attempts=attempts,
            next_state=State.FAILED,
            delay_ms=job.delay_ms,
            promote_at=job.promote_at,
            remove=job.remove_on_fail,
        )
    if job.backoff is None:  # straight back to the queue; Kue leaves promote_at as it was
        return FailurePlan(
            attempts=attempts,
            next_state=State.INACTIVE,
            delay_ms=job.delay_ms,
            promote_at=job.promote_at,
        )
    delay = next_delay_ms(
        job.backoff, attempts=attempts, job_delay_ms=job.delay_ms, registry=registry or {}
    )
    return FailurePlan(
        attempts=attempts, next_state=State.DELAYED, delay_ms=delay, promote_at=now + delay
    )
