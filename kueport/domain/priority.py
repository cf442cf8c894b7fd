"""Kue's priority names and the range of integer priorities. Lower numbers are served first."""

from __future__ import annotations

from kueport.domain.errors import InvalidPriority

PRIORITIES: dict[str, int] = {
    "low": 10,
    "normal": 0,
    "medium": -5,
    "high": -10,
    "critical": -15,
}

#: The largest priority (and, negated, the smallest) that every store holds exactly: a Redis
#: sorted-set score and a JavaScript number (Node Kue reads the same hash) are doubles, which
#: stop counting by one above 2**53. Beyond it Redis would order jobs differently from the
#: memory adapter, and beyond a double's range its enqueue script failed halfway.
MAX_PRIORITY = 2**53 - 1


def parse_priority(value: object) -> int:
    """Map a name or an integer to the stored integer.

    Kue stored unknown names verbatim, after which every ZADD failed and the job vanished;
    we refuse them instead. Integral strings ("-3") are accepted because HTTP paths carry them.
    Integers beyond +-MAX_PRIORITY are refused: no store could keep their order exactly.
    """
    number = _as_integer(value)
    if number is None:
        names = ", ".join(PRIORITIES)
        raise InvalidPriority(f"invalid priority {value!r}: use an integer or one of {names}")
    if not -MAX_PRIORITY <= number <= MAX_PRIORITY:
        raise InvalidPriority(
            f"invalid priority {value!r}: out of range, use -{MAX_PRIORITY}..{MAX_PRIORITY}"
        )
    return number


def _as_integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in PRIORITIES:
            return PRIORITIES[key]
        try:
            return int(key)
        except ValueError:
            pass
    return None


def priority_name(value: int) -> str | None:
    """The Kue name of an integer priority, or None for values between the names."""
    for name, number in PRIORITIES.items():
        if number == value:
            return name
    return None
