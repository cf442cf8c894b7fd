"""Seconds or timedeltas in, integer milliseconds out: Kue stores every time as ms."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from kueport.domain.errors import InvalidJobOption

Duration = int | float | timedelta

#: The longest duration we store, in ms (about 31,700 years; the HTTP API's limit too). Times
#: are stored as `now + duration` in Redis scores and in JavaScript numbers, both doubles that
#: count every millisecond only up to 2**53 (about 285,000 years from 1970); a longer one
#: overflowed (1e306 seconds) or was stored inexactly, and differently per adapter.
MAX_DURATION_MS = 10**15


def to_ms(value: Duration, *, what: str = "duration") -> int:
    """Convert seconds (int/float) or a timedelta to whole milliseconds, refusing nonsense."""
    if isinstance(value, bool) or not isinstance(value, int | float | timedelta):
        raise InvalidJobOption(f"invalid {what} {value!r}: use seconds or a timedelta")
    try:
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    except OverflowError:  # an int too large for a float
        seconds = math.inf
    if math.isnan(seconds):
        raise InvalidJobOption(f"invalid {what} {value!r}: must be a number")
    if seconds < 0:
        raise InvalidJobOption(f"invalid {what} {value!r}: must not be negative")
    return _bounded(seconds * 1000, value, what)


def _bounded(ms: float, value: object, what: str) -> int:
    if not ms <= MAX_DURATION_MS:  # also catches infinity
        raise InvalidJobOption(
            f"invalid {what} {value!r}: too long, at most {MAX_DURATION_MS // 1000} seconds "
            "(about 31,700 years)"
        )
    return round(ms)


def datetime_ms(moment: datetime) -> int:
    """Epoch milliseconds of a datetime; a naive datetime is taken as local time, as Python does."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return round(moment.astimezone(UTC).timestamp() * 1000)


def delay_ms(value: Duration | datetime, now_ms: int) -> int:
    """A delay given as a duration or as the moment to run at; moments in the past mean no delay.

    A moment further away than `MAX_DURATION_MS` is refused like so long a duration."""
    if not isinstance(value, datetime):
        return to_ms(value, what="delay")
    try:
        wait = datetime_ms(value) - now_ms
    except (OverflowError, ValueError, OSError):  # datetime.max and such in a local zone
        wait = MAX_DURATION_MS + 1
    return _bounded(max(0, wait), value, "delay")


def ms_to_seconds(value: int) -> float:
    return value / 1000.0
