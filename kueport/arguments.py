"""Checks of the arguments a queue's methods take, made before any storage is asked.

Each adapter used to meet bad arguments in its own way (a raw `ValueError`, `TypeError`,
`redis.ResponseError`, or a quiet wrong answer such as `get_job(True)` returning job 1), so
the same call behaved differently on memory and on Redis. Checking here, once, gives one typed
error on both (`InvalidJobId`, `InvalidRange`, `InvalidArgument`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kueport.domain.errors import InvalidArgument, InvalidJobId, InvalidJobOption, InvalidRange
from kueport.domain.json_values import has_surrogates
from kueport.ports.storage import Order

#: The largest id a job can have: Redis's INCR counts in a signed 64-bit integer.
MAX_JOB_ID = 2**63 - 1
#: Range bounds are clamped to this (ranks never reach it), as Redis refuses larger ones.
_MAX_RANK = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}")


def job_id(value: object) -> int:
    """The id `value` names: an int, or its decimal string (ids come from URLs and Kue's
    events as text). Booleans, floats, None and other text are refused with `InvalidJobId`.
    The id may be negative or huge: such an id names no job, which the caller answers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return int(value.strip())
    raise InvalidJobId(f"invalid job id {value!r}: use a whole number (an int)")


def can_exist(number: int) -> bool:
    """Whether a job could be stored under `number` (Redis refuses negative ids as keys)."""
    return 0 <= number <= MAX_JOB_ID


def range_bounds(start: object, stop: object) -> tuple[int, int]:
    """Kue's rank bounds: ints, negative counting from the end; huge ones are clamped."""
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRange(f"invalid range {name} {value!r}: use an int")
    assert isinstance(start, int) and isinstance(stop, int)
    return _clamp(start), _clamp(stop)


def _clamp(rank: int) -> int:
    return max(-_MAX_RANK, min(_MAX_RANK, rank))


def order(value: object) -> Order:
    """Kue's and the HTTP routes' two orders, "asc" and "desc"; anything else (Kue read it
    as ascending) is refused, so a typo never quietly returns the other order."""
    if value == "asc":
        return "asc"
    if value == "desc":
        return "desc"
    raise InvalidRange(f'invalid order {value!r}: use "asc" or "desc"')


def callable_of(what: str, fn: object) -> Callable[..., Any]:
    """A handler or listener must be callable now, not fail later in another thread."""
    if not callable(fn):
        raise InvalidArgument(f"invalid {what} {fn!r}: expected a function")
    return fn


def concurrency(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"invalid concurrency {value!r}: use an int of at least 1")
    return value


def check_type(job_type: object) -> str:
    """A job type: a non-empty string UTF-8 can store (it becomes part of Redis key names)."""
    if not isinstance(job_type, str) or not job_type or has_surrogates(job_type):
        raise InvalidJobOption(f"invalid job type {job_type!r}: use a non-empty string")
    return job_type


def optional_type(job_type: str | None) -> str | None:
    return None if job_type is None else check_type(job_type)
