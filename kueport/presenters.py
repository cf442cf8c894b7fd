"""The JSON face of a job: Kue's `toJSON` shape, shared by `Job.to_dict()` and the HTTP API.

Kept as Kue has it (timestamps as strings, progress a string once set, `workerId`), except
the deliberate fix that ids are always numbers.
"""

from __future__ import annotations

from typing import Any

from kueport.domain.job import JobRecord


def _ms(value: int | None) -> str | None:
    return None if value is None else str(value)


def job_json(record: JobRecord) -> dict[str, Any]:
    attempts = record.attempts_info
    body: dict[str, Any] = {
        "id": record.id,
        "type": record.type,
        "data": record.data,
        "result": record.result,
        "priority": record.priority,
        "progress": 0 if record.progress is None else str(record.progress),
        "progress_data": record.progress_data,
        "state": record.state.value,
        "error": record.error,
        "created_at": _ms(record.created_at),
        "promote_at": _ms(record.promote_at),
        "updated_at": _ms(record.updated_at),
        "failed_at": _ms(record.failed_at),
        "started_at": _ms(record.started_at),
        "duration": _ms(record.duration),
        "delay": _ms(record.delay_ms) if record.delay_ms else None,
        "ttl": _ms(record.ttl_ms),
        "workerId": record.worker_id,
        "attempts": {"made": attempts.made, "remaining": attempts.remaining, "max": attempts.max},
    }
    return {key: value for key, value in body.items() if value is not None}
