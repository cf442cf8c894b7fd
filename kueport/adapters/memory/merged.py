"""A state's `jobs:<state>` set read as the union of its per-type sets, merged when read.

For inactive, complete and failed jobs the state-wide score is the priority, exactly the
per-type score, so `jobs:<state>` holds the same (score, member) pairs as all the
`jobs:<type>:<state>` sets together, which never share a member. Keeping it as a set of its
own cost every claim and completion one more sorted-set update; reading it by merging the
per-type sets (already in order) costs the rare reader O(n log types), no more than reading
a kept set into a list did.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import islice

from kueport.adapters.memory.zset import SortedSet, rank_slice


class MergedSet:
    """A read-only view of disjoint `SortedSet`s with like scores (the list may grow)."""

    def __init__(self, parts: list[SortedSet]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __contains__(self, member: object) -> bool:
        return any(member in part for part in self._parts)

    def __iter__(self) -> Iterator[int]:
        return (member for _, member in self._keys())

    def first(self, n: int = 1) -> list[int]:
        return [member for _, member in islice(self._keys(), max(0, n))]

    def items(self) -> list[tuple[int, float]]:
        return [(member, score) for score, member in self._keys()]

    def range_by_rank(self, start: int, stop: int) -> list[int]:
        """One type (the usual case) slices its sorted set; ranks from the start read only
        as far as `stop`; only ranks from the end read everything."""
        filled = [part for part in self._parts if len(part)]
        if len(filled) == 1:
            return filled[0].range_by_rank(start, stop)
        if start >= 0 and stop >= 0:
            return [member for _, member in islice(self._keys(), start, stop + 1)]
        return rank_slice(list(self), start, stop)

    def range_by_score(self, minimum: float, maximum: float, limit: int | None = None) -> list[int]:
        if limit is not None and limit <= 0:
            return []
        filled = [part for part in self._parts if len(part)]
        if len(filled) == 1:
            return filled[0].range_by_score(minimum, maximum, limit)
        members: list[int] = []
        for score, member in self._keys():
            if score > maximum or (limit is not None and len(members) >= limit):
                break
            if score >= minimum:
                members.append(member)
        return members

    def _keys(self) -> Iterator[tuple[float, int]]:
        """Every (score, member) in order."""
        parts = [part.keys() for part in self._parts if len(part)]
        if len(parts) == 1:
            return iter(parts[0])
        return heapq.merge(*parts)
