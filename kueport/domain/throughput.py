"""Throughput: how many attempts completed and failed in each minute, for the dashboard chart.

Storage counts every `complete` and every failed attempt (`fail`, whether it will retry or
not, including TTL, shutdown and stall failures) in the same atomic move, so the numbers are
exact, not sampled. Counters are kept per minute (keyed by the minute's start, epoch ms) for
`COUNTER_TTL_MS`, a little more than the longest window a reader may ask for.
"""

from __future__ import annotations

import attrs

from kueport.domain.errors import KueportError

MINUTE_MS = 60_000
#: The longest window `throughput()` serves: one day.
MAX_MINUTES = 24 * 60
#: How long a minute's counters live (25 hours): the longest window plus a margin.
COUNTER_TTL_MS = 25 * 60 * MINUTE_MS

COMPLETE = "complete"
FAILED = "failed"


class InvalidWindow(KueportError, ValueError):
    """A throughput window outside 1..MAX_MINUTES minutes."""


@attrs.frozen
class MinuteCount:
    """Attempts that completed and failed in the minute starting at `minute` (epoch ms)."""

    minute: int
    complete: int = 0
    failed: int = 0


def minute_start(ms: int) -> int:
    """The start (epoch ms) of the minute holding `ms`."""
    return ms - ms % MINUTE_MS


def check_minutes(minutes: object) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidWindow(f"invalid minutes {minutes!r}: use a whole number")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidWindow(f"invalid minutes {minutes}: use 1..{MAX_MINUTES}")
    return minutes


def window(now: int, minutes: int) -> list[int]:
    """The starts of the last `minutes` minutes up to the one holding `now`, oldest first."""
    last = minute_start(now)
    return [last - i * MINUTE_MS for i in range(check_minutes(minutes) - 1, -1, -1)]
