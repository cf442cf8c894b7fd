"""A small sorted set with Redis ZSET semantics, ordered exactly like Redis orders one.

Members are kept in a list sorted by `kueport.domain.ordering.sort_key(score, member)` (score,
then member bytes) next to a dict member -> score, so lookups are O(1) and inserts and removals
are a bisect plus one list shift.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from typing import TypeVar

from kueport.domain.ordering import sort_key

_Key = tuple[float, bytes]
_T = TypeVar("_T")


def rank_slice(items: Sequence[_T], start: int, stop: int) -> list[_T]:
    """Redis rank semantics: `stop` is inclusive and negative ranks count from the end."""
    size = len(items)
    if start < 0:
        start = max(0, start + size)
    if stop < 0:
        stop += size
    stop = min(stop, size - 1)
    if start > stop:
        return []
    return list(items[start : stop + 1])


class SortedSet:
    """Members ordered by (score, member bytes); not thread-safe (the storage holds a lock)."""

    def __init__(self) -> None:
        self._scores: dict[str, float] = {}
        self._keys: list[_Key] = []

    def __len__(self) -> int:
        return len(self._scores)

    def __contains__(self, member: object) -> bool:
        return member in self._scores

    def __iter__(self) -> Iterator[str]:
        return (key[1].decode() for key in self._keys)

    def add(self, member: str, score: float) -> None:
        """ZADD: insert, or move an existing member to its new score."""
        old = self._scores.get(member)
        if old is not None:
            if old == score:
                return
            self._discard_key(sort_key(old, member))
        self._scores[member] = score
        bisect.insort(self._keys, sort_key(score, member))

    def remove(self, member: str) -> bool:
        """ZREM: True when the member was there."""
        score = self._scores.pop(member, None)
        if score is None:
            return False
        self._discard_key(sort_key(score, member))
        return True

    def score(self, member: str) -> float | None:
        """ZSCORE: None when absent."""
        return self._scores.get(member)

    def range_by_rank(self, start: int, stop: int) -> list[str]:
        """ZRANGE start stop: inclusive ranks, negative ones counted from the end."""
        return [key[1].decode() for key in rank_slice(self._keys, start, stop)]

    def range_by_score(self, minimum: float, maximum: float, limit: int | None = None) -> list[str]:
        """ZRANGEBYSCORE min max LIMIT 0 limit: inclusive bounds, best first."""
        if limit is not None and limit <= 0:
            return []
        index = bisect.bisect_left(self._keys, (minimum, b""))
        members: list[str] = []
        while index < len(self._keys) and (limit is None or len(members) < limit):
            score, member = self._keys[index]
            if score > maximum:
                break
            members.append(member.decode())
            index += 1
        return members

    def first(self, n: int = 1) -> list[str]:
        """The `n` best members (lowest score, then lowest member bytes)."""
        return [key[1].decode() for key in self._keys[: max(0, n)]]

    def items(self) -> list[tuple[str, float]]:
        """Every (member, score) pair in order."""
        return [(member.decode(), score) for score, member in self._keys]

    def _discard_key(self, key: _Key) -> None:
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]


#: Bounds for open-ended score ranges (`-inf` / `+inf` in Redis).
NEG_INF = -math.inf
POS_INF = math.inf
