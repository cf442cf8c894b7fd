"""`POST /job`: Kue's job creation from JSON, one job or an array of them.

An element is `{"type": str, "data": any, "options": {attempts, priority, delay, ttl,
backoff, searchKeys, removeOnComplete, removeOnFail}}`, delays and TTLs in milliseconds as
in Kue. As in Kue, an option is applied only when truthy (`"attempts": 0` means "not set").
Unlike Kue, an option with a bad value (an unknown priority name, a negative delay...) is
refused with a 400 and nothing is stored: every option is checked before the job is saved.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.wrappers import Response

from kueport.domain.errors import InvalidJobOption
from kueport.http.bodies import MAX_MS, read_json
from kueport.http.errors import (
    HttpError,
    empty_response,
    json_response,
    message_for,
    status_for,
    storage_problem,
)
from kueport.http.routing import RequestContext
from kueport.job import Job

_NUMERIC = (int, float)
log = logging.getLogger("kueport.http")


def _ms_option(name: str) -> Callable[[Job, Any], Job]:
    def apply(job: Job, value: Any) -> Job:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise InvalidJobOption(f"invalid {name} {value!r}: expected ms") from None
        if isinstance(value, bool) or not isinstance(value, _NUMERIC):
            raise InvalidJobOption(f"invalid {name} {value!r}: expected ms")
        if not math.isfinite(value) or not 0 <= value <= MAX_MS:
            raise InvalidJobOption(f"invalid {name} {value!r}: expected ms, 0..{MAX_MS}")
        setter: Callable[[float], Job] = getattr(job, name)
        return setter(value / 1000)

    return apply


def _attempts(job: Job, value: Any) -> Job:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return job.attempts(value)


def _flag(setter: str) -> Callable[[Job, Any], Job]:
    def apply(job: Job, value: Any) -> Job:
        if not isinstance(value, bool):
            raise InvalidJobOption(f"invalid {setter} {value!r}: expected true or false")
        flag: Callable[[bool], Job] = getattr(job, setter)
        return flag(value)

    return apply


def _search_keys(job: Job, value: Any) -> Job:
    if not isinstance(value, list):
        raise InvalidJobOption(f"invalid searchKeys {value!r}: expected a list of strings")
    return job.search_keys(value)


#: Kue's option names and how each is applied to the fluent builder.
OPTIONS: dict[str, Callable[[Job, Any], Job]] = {
    "attempts": _attempts,
    "priority": lambda job, value: job.priority(value),
    "delay": _ms_option("delay"),
    "ttl": _ms_option("ttl"),
    "backoff": lambda job, value: job.backoff(value),
    "searchKeys": _search_keys,
    "removeOnComplete": _flag("remove_on_complete"),
    "removeOnFail": _flag("remove_on_fail"),
}


def build_job(ctx: RequestContext, element: object) -> Job:
    """An unsaved job from one element; raises `HttpError`/`InvalidJobOption` for bad input."""
    if not isinstance(element, dict):
        raise HttpError(400, "each job must be a JSON object")
    job_type = element.get("type")
    if not isinstance(job_type, str) or not job_type:
        raise HttpError(400, "Must provide job type")
    options = element.get("options") or {}
    if not isinstance(options, Mapping):
        raise HttpError(400, "options must be a JSON object")
    data = element.get("data")
    job = ctx.queue.create(job_type, {} if data is None else data)
    for name, value in options.items():
        if name in OPTIONS and value:  # Kue applies only truthy options
            OPTIONS[name](job, value)
    return job


Result = tuple[int, dict[str, Any]]
"""(status, per-item body) of one element."""


def _failure(ctx: RequestContext, exc: Exception) -> Result:
    status = status_for(exc)
    if status is None:
        log.exception("POST /job failed")
        return 500, {"error": "internal server error"}
    problem = storage_problem(exc)
    if problem is not None:
        ctx.storage_failed(problem, exc)
    return status, {"error": message_for(exc, status)}


def _created(job: Job) -> Result:
    return 200, {"message": "job created", "id": job.id}


def create_one(ctx: RequestContext, element: object) -> Result:
    """The job is stored only if all is well."""
    try:
        job = build_job(ctx, element)
    except Exception as exc:
        return _failure(ctx, exc)
    return save_one(ctx, job)


def create_many(ctx: RequestContext, elements: list[object]) -> list[Result]:
    """Each element as `create_one` would, but the good ones saved together by
    `queue.save_all` (pipelined batches): a bad element fails alone, as in Kue."""
    results: list[Result | None] = [None] * len(elements)
    built: list[tuple[int, Job]] = []
    for position, element in enumerate(elements):
        try:
            built.append((position, build_job(ctx, element)))
        except Exception as exc:
            results[position] = _failure(ctx, exc)
    try:
        ctx.queue.save_all([job for _, job in built])
    except InvalidJobOption:  # checked before anything is stored: find the culprits one by one
        for position, job in built:
            results[position] = save_one(ctx, job)
    except Exception as exc:  # e.g. Redis gone: a batch that was stored keeps its ids
        failure = _failure(ctx, exc)
        for position, job in built:
            results[position] = failure if job.id is None else _created(job)
    else:
        for position, job in built:
            results[position] = _created(job)
    return [result for result in results if result is not None]


def save_one(ctx: RequestContext, job: Job) -> Result:
    try:
        job.save()
    except Exception as exc:
        return _failure(ctx, exc)
    return _created(job)


def create_jobs(ctx: RequestContext) -> Response:
    """One object → its result; an array → one result per element, in order, with the first
    error's status (else 200). An empty body, `{}` or `[]` → 204, as in Kue."""
    body = read_json(ctx.request)
    if body is None or body == {} or body == []:
        return empty_response(204)
    if isinstance(body, list):
        results = create_many(ctx, body)
        failures = [status for status, _ in results if status != 200]
        return json_response([item for _, item in results], failures[0] if failures else 200)
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a job object or an array of them")
    status, item = create_one(ctx, body)
    return json_response(item, status)
