"""Retention: which finished jobs a clean removes, and the queue-level default policy.

Only `complete` and `failed` jobs can be cleaned; refusing the other states keeps a clean
from ever wiping pending or running work by accident.

"Newest" means the latest `updated_at` (the moment the job finished, for a finished job),
ties broken by the larger id. A clean keeps the newest `keep` jobs of the state, and removes
the others whose `updated_at < now - older_than` (all of them when `older_than` is None),
oldest first, at most `limit` per call. Both storage adapters select with `select_victims`,
so they remove exactly the same jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import attrs

from kueport.domain.durations import Duration, to_ms
from kueport.domain.errors import InvalidJobOption, InvalidRetention
from kueport.domain.state import State

#: States a clean may remove jobs from.
CLEANABLE = (State.COMPLETE, State.FAILED)

#: Default for `create_queue(max_log_lines=...)`: a job keeps its newest 1000 log lines.
DEFAULT_MAX_LOG_LINES = 1000


def cleanable(state: State | str) -> State:
    """The state, if a clean may remove jobs from it; else `InvalidRetention`."""
    parsed = State.parse(state)  # InvalidState for a name that is no state at all
    if parsed not in CLEANABLE:
        raise InvalidRetention(
            f"cannot clean {parsed.value!r} jobs: only 'complete' and 'failed' jobs are "
            "removed by retention (remove pending or running jobs one by one)"
        )
    return parsed


def check_keep(keep: object) -> int:
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise InvalidRetention(f"invalid keep {keep!r}: use a whole number >= 0")
    return keep


def check_max_log_lines(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRetention(f"invalid max_log_lines {value!r}: use a whole number >= 0")
    return value


def older_than_ms(older_than: Duration | None) -> int | None:
    if older_than is None:
        return None
    try:
        return to_ms(older_than, what="older_than")
    except InvalidJobOption as exc:
        raise InvalidRetention(str(exc)) from None


def select_victims(
    candidates: Iterable[tuple[int, int]],
    *,
    keep: int,
    older_than: int | None,
    limit: int,
    now: int,
) -> list[tuple[int, int]]:
    """The (id, updated_at) pairs a clean removes, oldest first, at most `limit`."""
    newest_first = sorted(candidates, key=lambda c: (c[1], c[0]), reverse=True)
    cutoff = None if older_than is None else now - older_than
    removable = [c for c in newest_first[keep:] if cutoff is None or c[1] < cutoff]
    return removable[::-1][: max(0, limit)]


@attrs.frozen
class RetentionRule:
    """Keep the newest `keep` jobs; remove the rest once `older_than` (seconds or timedelta;
    None = at once) has passed since they finished."""

    older_than: int | None = attrs.field(default=None, converter=older_than_ms)
    keep: int = attrs.field(default=0, converter=check_keep)

    @classmethod
    def parse(cls, value: RetentionRule | Mapping[str, Any], what: str) -> RetentionRule:
        if isinstance(value, RetentionRule):
            return value
        if not isinstance(value, Mapping):
            raise InvalidRetention(f"retention for {what!r} must be a dict or a RetentionRule")
        unknown = set(value) - {"older_than", "keep"}
        if unknown:
            raise InvalidRetention(
                f"unknown retention option(s) {sorted(unknown)} for {what!r}: "
                "use 'older_than' (seconds) and 'keep'"
            )
        return cls(older_than=value.get("older_than"), keep=value.get("keep", 0))


@attrs.frozen
class Retention:
    """The queue's default retention, applied by the maintenance pass every `interval` seconds.

    `older_than` is stored in milliseconds; a state without a rule is never cleaned.
    """

    rules: Mapping[State, RetentionRule] = attrs.field(factory=dict)
    interval: float = 60.0

    @classmethod
    def parse(cls, value: Retention | Mapping[str, Any] | None) -> Retention | None:
        """`{"complete": {"older_than": 3600, "keep": 1000}, "failed": {...}, "interval": 60}`."""
        if value is None or isinstance(value, Retention):
            return value
        if not isinstance(value, Mapping):
            raise InvalidRetention(f"invalid retention {value!r}: use a dict or a Retention")
        options = dict(value)
        interval = options.pop("interval", 60.0)
        if isinstance(interval, timedelta):
            interval = interval.total_seconds()
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
            raise InvalidRetention(f"invalid retention interval {interval!r}: use seconds > 0")
        rules = {}
        for name, rule in options.items():
            try:
                state = cleanable(name)
            except ValueError as exc:
                raise InvalidRetention(f"invalid retention key {name!r}: {exc}") from None
            rules[state] = RetentionRule.parse(rule, name)
        return cls(rules=rules, interval=float(interval))
