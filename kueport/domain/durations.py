"""Seconds or timedeltas in, integer milliseconds out: Kue stores every time as ms."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from kueport.domain.errors import InvalidJobOption

Duration = int | float | timedelta


def to_ms(value: Duration, *, what: str = "duration") -> int:
    """Convert seconds (int/float) or a timedelta to whole milliseconds, refusing nonsense."""
    if isinstance(value, bool) or not isinstance(value, int | float | timedelta):
        raise InvalidJobOption(f"invalid {what} {value!r}: use seconds or a timedelta")
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if not math.isfinite(seconds):
        raise InvalidJobOption(f"invalid {what} {value!r}: must be finite")
    if seconds < 0:
        raise InvalidJobOption(f"invalid {what} {value!r}: must not be negative")
    return round(seconds * 1000)


def datetime_ms(moment: datetime) -> int:
    """Epoch milliseconds of a datetime; a naive datetime is taken as local time, as Python does."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return round(moment.astimezone(UTC).timestamp() * 1000)


def delay_ms(value: Duration | datetime, now_ms: int) -> int:
    """A delay given as a duration or as the moment to run at; moments in the past mean no delay."""
    if isinstance(value, datetime):
        return max(0, datetime_ms(value) - now_ms)
    return to_ms(value, what="delay")


def ms_to_seconds(value: int) -> float:
    return value / 1000.0
