"""Jobs put in a given state through real transitions, for the operator-action contracts."""

from __future__ import annotations

from kueport.adapters.clock import ManualClock
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.retry import plan_failure, plan_success
from kueport.ports.storage import Claim, JobStorage


def claimed(storage: JobStorage, clock: ManualClock, job_type: str, **spec: object) -> JobRecord:
    """A new job of `job_type`, claimed (it must be the type's only inactive job)."""
    storage.enqueue(JobSpec(type=job_type, data={}, **spec), clock.now_ms())  # type: ignore[arg-type]
    (record,) = storage.claim(Claim(job_type, "w1"), timeout=0)
    return record


def failed(storage: JobStorage, clock: ManualClock, job_type: str = "email") -> int:
    """A job that failed its only attempt (attempts made 1 of 1)."""
    record = claimed(storage, clock, job_type)
    now = clock.now_ms()
    storage.fail(record.id, record.lease, "Error: boom", plan_failure(record, now), now)
    return record.id


def completed(storage: JobStorage, clock: ManualClock, job_type: str = "email") -> int:
    record = claimed(storage, clock, job_type)
    now = clock.now_ms()
    storage.complete(record.id, record.lease, None, plan_success(record, now), now)
    return record.id


def delayed(storage: JobStorage, clock: ManualClock, job_type: str = "email") -> int:
    """A job delayed by an hour."""
    spec = JobSpec(type=job_type, data={}, delay_ms=3_600_000)
    return storage.enqueue(spec, clock.now_ms()).id
