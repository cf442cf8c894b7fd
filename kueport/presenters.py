"""The JSON face of a job: Kue's `toJSON` shape, shared by `Job.to_dict()` and the HTTP API.

Kept as Kue has it (timestamps as strings, progress a string once set, `workerId`), except
the deliberate fix that ids are always numbers.
"""

from __future__ import annotations

import json
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


#: How much of a title and of an error's first line a list row carries (characters).
ROW_TITLE_CHARS = 200
ROW_ERROR_CHARS = 500
_ROW_DROPPED = ("data", "result", "progress_data")


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def job_row_json(record: JobRecord) -> dict[str, Any]:
    """A job as one row of a list (`?brief=true`): what a dashboard card shows, without the
    job's data, result and progress data, which can be megabytes and which a list never
    shows. The data's `title`, when it has one, comes as a short `title` (text; JSON for a
    title that is not text), and `error` is cut to its first line. Everything else is
    `job_json` as it is, so a row and a full job compare field by field."""
    body = job_json(record)
    data = body.get("data")
    for name in _ROW_DROPPED:
        body.pop(name, None)
    if isinstance(data, dict) and "title" in data:
        title = data["title"]
        text = title if isinstance(title, str) else json.dumps(title, ensure_ascii=False)
        body["title"] = _clipped(text, ROW_TITLE_CHARS)
    if "error" in body:
        body["error"] = _clipped(str(body["error"]).split("\n", 1)[0], ROW_ERROR_CHARS)
    return body
