"""A small sorted set with Redis ZSET semantics, ordered exactly like Redis orders one.

Members are kept sorted by `kueport.domain.ordering.sort_key(score, member)` (score, then
member bytes) in a `sortedcontainers.SortedList` next to a dict member -> score, so lookups
are O(1) and inserts and removals O(log n). A plain sorted list was O(n) per insert or
removal (the shift): taking the best job off a backlog of a million cost a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TypeVar

from sortedcontainers import SortedList

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
        self._keys: SortedList = SortedList()

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
        self._keys.add(sort_key(score, member))

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
        members: list[str] = []
        for score, member in self._keys.irange((minimum, b"")):
            if score > maximum or (limit is not None and len(members) >= limit):
                break
            members.append(member.decode())
        return members

    def first(self, n: int = 1) -> list[str]:
        """The `n` best members (lowest score, then lowest member bytes)."""
        return [key[1].decode() for key in islice(self._keys, max(0, n))]

    def items(self) -> list[tuple[str, float]]:
        """Every (member, score) pair in order."""
        return [(member.decode(), score) for score, member in self._keys]

    def _discard_key(self, key: _Key) -> None:
        self._keys.discard(key)


#: Bounds for open-ended score ranges (`-inf` / `+inf` in Redis).
NEG_INF = -math.inf
POS_INF = math.inf
