"""Kue's priority names. Lower numbers are served first."""

from __future__ import annotations

from kueport.domain.errors import InvalidPriority

PRIORITIES: dict[str, int] = {
    "low": 10,
    "normal": 0,
    "medium": -5,
    "high": -10,
    "critical": -15,
}


def parse_priority(value: object) -> int:
    """Map a name or an integer to the stored integer.

    Kue stored unknown names verbatim, after which every ZADD failed and the job vanished;
    we refuse them instead. Integral strings ("-3") are accepted because HTTP paths carry them.
    """
    if isinstance(value, bool):
        raise InvalidPriority(f"invalid priority {value!r}: booleans are not priorities")
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
    names = ", ".join(PRIORITIES)
    raise InvalidPriority(f"invalid priority {value!r}: use an integer or one of {names}")


def priority_name(value: int) -> str | None:
    """The Kue name of an integer priority, or None for values between the names."""
    for name, number in PRIORITIES.items():
        if number == value:
            return name
    return None
