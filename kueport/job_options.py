"""What a job's fluent setters collect before `save()` (`kueport.job.Job`)."""

from __future__ import annotations

from datetime import datetime

import attrs

from kueport.domain.backoff import Backoff
from kueport.domain.durations import Duration
from kueport.domain.errors import InvalidJobOption


@attrs.frozen
class JobOptions:
    """What the fluent setters collected; None means "not set" (keep the stored value).

    Frozen, so every job without options (each job a worker runs, say) shares one instance;
    a setter swaps in a changed copy.
    """

    priority: int | None = None
    attempts: int | None = None
    backoff: Backoff | None = None
    backoff_set: bool = False
    delay: Duration | datetime | None = None
    ttl_ms: int | None = None
    remove_on_complete: bool | None = None
    remove_on_fail: bool | None = None
    search_keys: tuple[str, ...] | None = None
    events: bool = True


#: The options of a job nobody set any on, with and without job-level events.
NO_OPTIONS = JobOptions()
_NO_EVENTS = JobOptions(events=False)


def fresh_options(events: bool) -> JobOptions:
    return NO_OPTIONS if events else _NO_EVENTS


#: The most attempts a job may have: Redis's scripts and Node Kue count them in doubles,
#: which stop counting by one above 2**53.
MAX_ATTEMPTS = 2**53 - 1


def checked_attempts(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTEMPTS:
        raise InvalidJobOption(
            f"invalid attempts {value!r}: use an integer from 1 to {MAX_ATTEMPTS}"
        )
    return value
