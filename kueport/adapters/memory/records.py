"""Pure record changes applied by the memory storage: each returns a new frozen `JobRecord`.

The storage decides nothing: the plans come from the domain (`plan_success`, `plan_failure`);
these functions only copy their outcome into the record the way Kue writes its hash.
A record here keeps `data`, `progress_data` and `result` as the JSON Redis would hold
(`kueport.domain.json_values`, encoded by the callers or here); `stored.readable` decodes
them for callers.
"""

from __future__ import annotations

from typing import Any

from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.json_values import encode_data
from kueport.domain.retry import FailurePlan, SuccessPlan
from kueport.domain.state import State
from kueport.domain.ttl import ttl_expiry
from kueport.ports.storage import Changes

#: Fields that only mean something while a worker holds the job.
_RELEASED: dict[str, Any] = {"lease": None, "lease_until": None, "ttl_expires_at": None}


def new_record(job_id: int, spec: JobSpec, now: int, data: str) -> JobRecord:
    """`data`: `encode_data(spec.data)`, made before the storage's lock is taken."""
    return JobRecord(
        id=job_id,
        type=spec.type,
        data=data,
        state=spec.initial_state,
        priority=spec.priority,
        max_attempts=spec.max_attempts,
        created_at=now,
        promote_at=now + spec.delay_ms,
        updated_at=now,
        delay_ms=spec.delay_ms,
        ttl_ms=spec.ttl_ms,
        backoff=spec.backoff,
        remove_on_complete=spec.remove_on_complete,
        remove_on_fail=spec.remove_on_fail,
        search_keys=spec.search_keys,
    )


def claimed(record: JobRecord, worker_id: str, lease: str, lease_ms: int, now: int) -> JobRecord:
    return record._replace(
        state=State.ACTIVE,
        started_at=now,
        updated_at=now,
        worker_id=worker_id,
        lease=lease,
        lease_until=now + lease_ms,
        ttl_expires_at=ttl_expiry(record.ttl_ms, now),
    )


def completed(record: JobRecord, result: str | None, plan: SuccessPlan, now: int) -> JobRecord:
    """`result`: its JSON (`encode_result`), None for none."""
    return record._replace(
        state=State.COMPLETE,
        attempts=plan.attempts,
        duration=plan.duration_ms,
        result=result,
        progress=100,
        updated_at=now,
        lease=None,
        lease_until=None,
        ttl_expires_at=None,
    )


def failed(record: JobRecord, error: str, plan: FailurePlan, now: int) -> JobRecord:
    return record._replace(
        state=plan.next_state,
        error=error,
        failed_at=now,
        attempts=plan.attempts,
        delay_ms=plan.delay_ms,
        promote_at=plan.promote_at,
        updated_at=now,
        lease=None,
        lease_until=None,
        ttl_expires_at=None,
    )


def error_log_line(error: str) -> str:
    """Kue logs `str.split('\\n')[0]` of every failed attempt's error."""
    return error.partition("\n")[0]


def with_progress(record: JobRecord, percent: int, data: str | None, now: int) -> JobRecord:
    """Kue's progress(): also pushes an active job's TTL deadline to `now + ttl`. `data`:
    its JSON (`encode_data`), None for none."""
    refreshed = ttl_expiry(record.ttl_ms, now) if record.is_active else record.ttl_expires_at
    return record._replace(
        progress=percent, progress_data=data, updated_at=now, ttl_expires_at=refreshed
    )


def moved(record: JobRecord, state: State, now: int, promote_at: int | None) -> JobRecord:
    """A hand-made move. Staying in the same state changes nothing but `updated_at` (and, for
    delayed, `promote_at` when one is given); leaving active breaks the lease. Nothing
    becomes active by hand (`ALLOWED_MOVES`): active is only ever a same-state re-save."""
    fields: dict[str, Any] = {"state": state, "updated_at": now}
    if state is State.DELAYED:
        fields["promote_at"] = _delayed_until(record, now, promote_at)
    if state is not State.ACTIVE:
        fields.update(_RELEASED)
    return record._replace(**fields)


def _delayed_until(record: JobRecord, now: int, promote_at: int | None) -> int:
    if promote_at is not None:
        return promote_at
    if record.state is State.DELAYED:
        return record.promote_at
    return now + record.delay_ms


#: `Changes` fields copied as they are when not None.
_PLAIN_CHANGES = ("priority", "max_attempts", "remove_on_complete", "remove_on_fail")


def updated(record: JobRecord, changes: Changes, now: int) -> JobRecord:
    """Kue's update(): a new delay recomputes promote_at from created_at (failed_at once the
    job has failed); an active job with a TTL gets a fresh deadline (Kue's refreshTtl)."""
    fields: dict[str, Any] = {"updated_at": now}
    for name in _PLAIN_CHANGES:
        if getattr(changes, name) is not None:
            fields[name] = getattr(changes, name)
    if changes.delay_ms is not None:
        base = record.failed_at if record.failed_at is not None else record.created_at
        fields.update(delay_ms=changes.delay_ms, promote_at=base + changes.delay_ms)
    if changes.ttl_ms is not None:
        fields["ttl_ms"] = changes.ttl_ms or None
    if changes.backoff_set:
        fields["backoff"] = changes.backoff
    if changes.replace_data:
        fields["data"] = encode_data(changes.data)
    new = record._replace(**fields)
    if new.is_active:
        new = new._replace(ttl_expires_at=ttl_expiry(new.ttl_ms, now))
    return new


def requeued_after_stall(record: JobRecord, stalled: int, now: int) -> JobRecord:
    """Back to the queue after a lost worker: no attempt counted, the stall remembered."""
    return record._replace(state=State.INACTIVE, stalled=stalled, updated_at=now, **_RELEASED)
