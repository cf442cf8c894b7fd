"""Stalled jobs: active jobs whose worker stopped renewing the lease (killed, frozen, cut off).

A stall is not the handler's fault, so the first `max_stalled` stalls re-queue the job without
counting an attempt; past that the job is failed for good, because a job that keeps taking its
worker down (out of memory, segfault) must not loop forever.
"""

from __future__ import annotations

import attrs

from kueport.domain.job import JobRecord
from kueport.domain.retry import FailurePlan, attempts_after
from kueport.domain.state import State

#: How many times a job may be recovered from a lost worker before it fails.
DEFAULT_MAX_STALLED = 1

#: Error stored on a job failed because it stalled more than allowed.
STALLED = "Job stalled more than allowed (its worker stopped renewing the lease)"


@attrs.frozen
class StallPlan:
    """Re-queue (`failure is None`) with the new stall count, or fail with `failure`."""

    stalled: int
    failure: FailurePlan | None = None

    @property
    def requeue(self) -> bool:
        return self.failure is None


def plan_stall(job: JobRecord, max_stalled: int = DEFAULT_MAX_STALLED) -> StallPlan:
    if job.stalled < max_stalled:
        return StallPlan(stalled=job.stalled + 1)
    failure = FailurePlan(
        attempts=attempts_after(job),
        next_state=State.FAILED,
        delay_ms=job.delay_ms,
        promote_at=job.promote_at,
        remove=job.remove_on_fail,
    )
    return StallPlan(stalled=job.stalled, failure=failure)
