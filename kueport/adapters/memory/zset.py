"""A small sorted set of job ids with Redis ZSET semantics, ordered exactly like Kue's zsets.

Kue's members are zids (`"02|17"`) and Redis orders equal scores by member bytes. A zid is
the id's digit count, two digits wide, then the digits, so its bytes order exactly as the ids
do: fewer digits first, then digit by digit. Keying by `(score, id)` therefore gives Redis's
order without formatting or encoding a zid per move (`tests/unit/test_memory_zset.py` checks
this against `kueport.domain.ordering.sort_key`); zids are made only where Kue's names are
shown (`Indexes.snapshot`).

Members live in a dict member -> score (O(1) lookups and counts). The order is kept in a
`sortedcontainers.SortedList` of `(score, id)`, but only when someone reads it: additions
wait in `_pending` and are sorted in one batch on the next ordered read. Most sets are written
far more than read (`complete` grows by every job and is read by a dashboard now and then; a
job usually leaves `active` before any sweep looks), so most moves cost two dict/set updates
instead of an O(log n) insert and an O(log n) removal. A job removed while still pending never
touches the sorted list at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TypeVar

from sortedcontainers import SortedList

_T = TypeVar("_T")

#: Bounds for open-ended score ranges (`-inf` / `+inf` in Redis).
NEG_INF = -math.inf
POS_INF = math.inf


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
    """Job ids ordered by (score, id); not thread-safe (the storage holds a lock)."""

    def __init__(self) -> None:
        self._scores: dict[int, float] = {}
        #: `(score, id)` of members already in order; the rest wait in `_pending`.
        self._sorted: SortedList = SortedList()
        self._pending: set[int] = set()

    def __len__(self) -> int:
        return len(self._scores)

    def __bool__(self) -> bool:
        return bool(self._scores)

    def __contains__(self, member: object) -> bool:
        return member in self._scores

    def __iter__(self) -> Iterator[int]:
        return (key[1] for key in self._ordered())

    def add(self, member: int, score: float) -> None:
        """ZADD: insert, or move an existing member to its new score."""
        old = self._scores.get(member)
        if old is not None:
            if old == score:
                return
            if member not in self._pending:  # a pending member is sorted by its new score
                self._unsort(member, old)
        self._scores[member] = score
        self._pending.add(member)

    def remove(self, member: int) -> bool:
        """ZREM: True when the member was there."""
        score = self._scores.pop(member, None)
        if score is None:
            return False
        try:
            self._pending.remove(member)  # usually: a job leaves `active` before any read
        except KeyError:
            self._unsort(member, score)
        return True

    def pop_first(self, n: int) -> list[int]:
        """ZPOPMIN n: remove and return the `n` best members (a claim takes the queue's head,
        where removing costs no search)."""
        pop = (self._ordered() if self._pending else self._sorted).pop
        scores = self._scores  # every member is in the sorted list now
        if n == 1 and scores:  # a one-slot claim, the usual case: no loop
            member = pop(0)[1]
            del scores[member]
            return [member]
        popped = []
        for _ in range(min(n, len(scores))):
            member = pop(0)[1]
            del scores[member]
            popped.append(member)
        return popped

    def score(self, member: int) -> float | None:
        """ZSCORE: None when absent."""
        return self._scores.get(member)

    def range_by_rank(self, start: int, stop: int) -> list[int]:
        """ZRANGE start stop: inclusive ranks, negative ones counted from the end."""
        return [key[1] for key in rank_slice(self._ordered(), start, stop)]

    def range_by_score(self, minimum: float, maximum: float, limit: int | None = None) -> list[int]:
        """ZRANGEBYSCORE min max LIMIT 0 limit: inclusive bounds, best first."""
        if limit is not None and limit <= 0:
            return []
        members: list[int] = []
        for score, member in self._ordered().irange((minimum, NEG_INF)):
            if score > maximum or (limit is not None and len(members) >= limit):
                break
            members.append(member)
        return members

    def first(self, n: int = 1) -> list[int]:
        """The `n` best members (lowest score, then lowest id)."""
        return [key[1] for key in islice(self._ordered(), max(0, n))]

    def keys(self) -> Sequence[tuple[float, int]]:
        """Every `(score, member)` in order (a view: do not change the set while reading)."""
        ordered: Sequence[tuple[float, int]] = self._ordered()
        return ordered

    def items(self) -> list[tuple[int, float]]:
        """Every (member, score) pair in order."""
        return [(member, score) for score, member in self._ordered()]

    def _ordered(self) -> SortedList:
        """The sorted list with every pending member merged in (one batch sort)."""
        if self._pending:
            scores = self._scores
            self._sorted.update([(scores[member], member) for member in self._pending])
            self._pending.clear()
        return self._sorted

    def _unsort(self, member: int, score: float) -> None:
        """Take an ordered (not pending) member out of the sorted list."""
        key = (score, member)
        ordered = self._sorted
        if ordered[0] == key:  # the head (a claimed job in `jobs:inactive`): no search
            ordered.pop(0)
        else:
            ordered.remove(key)
