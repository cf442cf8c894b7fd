"""Retry delays: Kue's fixed and exponential formulas, and named Python policies.

The formulas are Kue's to the millisecond, so a job retried by a Node worker and by a Python
worker waits the same. A custom policy is only a *name* on the job; the callable lives in the
worker's registry, so nothing read back from storage is ever evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta

import attrs

from kueport.domain.durations import MAX_DURATION_MS, Duration, to_ms
from kueport.domain.errors import InvalidJobOption, UnknownBackoff


def _optional_ms(value: Duration | None) -> int | None:
    return None if value is None else to_ms(value, what="backoff delay")


def _required_ms(value: Duration) -> int:
    return to_ms(value, what="backoff delay")


@attrs.frozen
class SameDelay:
    """`backoff(True)`: retry after the job's own delay again."""


@attrs.frozen
class Fixed:
    """Wait the same time before every retry; without a delay, reuse the job's own delay."""

    delay_ms: int | None = attrs.field(default=None, alias="delay", converter=_optional_ms)


@attrs.frozen
class Exponential:
    """Kue's `round(min(max - d/2, d/2 * (2**attempts - 1)))`; note the cap is `max - d/2`."""

    delay_ms: int | None = attrs.field(default=None, alias="delay", converter=_optional_ms)
    max_delay_ms: int | None = attrs.field(default=None, alias="max_delay", converter=_optional_ms)


@attrs.frozen
class Named:
    """A policy registered in the worker under `name` with `queue.register_backoff`."""

    name: str = attrs.field()

    @name.validator
    def _check(self, _: object, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise InvalidJobOption("a named backoff needs a non-empty name")


Backoff = SameDelay | Fixed | Exponential | Named

#: A registered policy: `fn(attempts, delay_seconds) -> seconds` (float or timedelta).
BackoffFunction = Callable[[int, float], "float | int | timedelta"]


def parse_backoff(value: object) -> Backoff | None:
    """Accept what users write: True/False, a policy value, a registered name, or Kue's dict."""
    if value is None or value is False:
        return None
    if value is True:
        return SameDelay()
    if isinstance(value, SameDelay | Fixed | Exponential | Named):
        return value
    if isinstance(value, str):
        return Named(value)
    if isinstance(value, Mapping):
        return _from_mapping(value)
    raise InvalidJobOption(
        f"invalid backoff {value!r}: use True, Fixed(...), Exponential(...) or a registered name"
    )


def _from_mapping(spec: Mapping[object, object]) -> Backoff:
    """Kue's JSON form `{"type": "fixed"|"exponential", "delay": ms, "maxDelay": ms}`."""
    kind = spec.get("type", "fixed")
    delay = _mapping_ms(spec.get("delay"))
    if kind == "fixed":
        return Fixed(delay=None if delay is None else delay / 1000)
    if kind == "exponential":
        cap = _mapping_ms(spec.get("maxDelay", spec.get("max_delay")))
        return Exponential(
            delay=None if delay is None else delay / 1000,
            max_delay=None if cap is None else cap / 1000,
        )
    if kind == "named" and isinstance(spec.get("name"), str):
        return Named(str(spec["name"]))
    raise InvalidJobOption(f"invalid backoff type {kind!r}: expected fixed or exponential")


def _mapping_ms(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidJobOption(f"invalid backoff delay {value!r}: expected milliseconds")
    if not math.isfinite(value) or value < 0:
        raise InvalidJobOption(f"invalid backoff delay {value!r}")
    return round(value)


def js_round(value: float) -> int:
    """JavaScript's Math.round: halves go up, unlike Python's banker's rounding."""
    return math.floor(value + 0.5)


def exponential_ms(delay_ms: int, attempts: int, max_delay_ms: int | None) -> int:
    """Kue's formula, never longer than any stored delay may be (`MAX_DURATION_MS`): past
    about 1,024 attempts `2**attempts` no longer fits a float, and the retry must still be
    planned (2**64 ms is far past the cap already)."""
    grown = delay_ms / 2 * (2 ** min(attempts, 64) - 1)
    cap = MAX_DURATION_MS if not max_delay_ms else min(MAX_DURATION_MS, max_delay_ms - delay_ms / 2)
    return js_round(min(cap, grown))


def next_delay_ms(
    policy: Backoff,
    *,
    attempts: int,
    job_delay_ms: int,
    registry: Mapping[str, BackoffFunction],
) -> int:
    """The delay before the next try; `attempts` counts the failure just recorded.

    `job_delay_ms` is the job's current `delay`, which (as in Kue) is the previous backoff
    result after the first retry. A policy answering 0 or less keeps the old delay, as Kue does.
    """
    if isinstance(policy, SameDelay):
        return job_delay_ms
    if isinstance(policy, Fixed):
        return policy.delay_ms or job_delay_ms  # Kue: `backoff.delay || job._delay`
    if isinstance(policy, Exponential):
        base = policy.delay_ms or job_delay_ms
        computed = exponential_ms(base, attempts, policy.max_delay_ms)
        return computed if computed > 0 else job_delay_ms
    return _named_delay_ms(policy, attempts, job_delay_ms, registry)


def _named_delay_ms(
    policy: Named, attempts: int, job_delay_ms: int, registry: Mapping[str, BackoffFunction]
) -> int:
    try:
        fn = registry[policy.name]
    except KeyError:
        raise UnknownBackoff(f"no backoff registered under the name {policy.name!r}") from None
    try:
        computed = _answer_ms(fn(attempts, job_delay_ms / 1000), policy.name)
    except InvalidJobOption:
        raise
    except Exception as exc:  # the user's callable: whatever it raised, say which policy
        raise InvalidJobOption(
            f"backoff {policy.name!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    return computed if computed > 0 else job_delay_ms


def _answer_ms(answer: object, name: str) -> int:
    """A registered policy's answer in ms; 0 or less keeps the old delay (0 here), and
    anything that is not a finite number of seconds or a timedelta is refused."""
    seconds = answer.total_seconds() if isinstance(answer, timedelta) else answer
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidJobOption(
            f"backoff {name!r} answered {answer!r}: expected seconds or a timedelta"
        )
    if seconds <= 0:
        return 0
    return to_ms(seconds, what=f"delay from backoff {name!r}")
