"""Kue's sorted-set indexes, kept in memory with the same members and scores as in Redis.

`jobs` holds every job by priority, `jobs:<state>` scores by `state_score` (promote_at for
delayed, the TTL deadline or `-abs(priority)` for active), `jobs:<type>:<state>` by priority.
Every score is a function of the stored record, so re-indexing is "take the job out of the
sets the old record was in, put it into the new record's sets". Members are job ids (see
`zset`); `snapshot` shows them as Kue's zids.
"""

from __future__ import annotations

from typing import Protocol

from kueport.adapters.memory.zset import SortedSet
from kueport.domain.ordering import state_score, type_score, zid
from kueport.domain.state import State

#: A zset's content as (member, score) pairs, in order.
ZSetItems = list[tuple[str, float]]


class Indexed(Protocol):
    """What the scores are made of: a `JobRecord`, or the storage's mutable `StoredJob`."""

    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def state(self) -> State: ...
    @property
    def priority(self) -> int: ...
    @property
    def promote_at(self) -> int: ...
    @property
    def ttl_expires_at(self) -> int | None: ...


def record_state_score(record: Indexed) -> float:
    return state_score(
        record.state,
        record.priority,
        promote_at=record.promote_at,
        ttl_deadline=record.ttl_expires_at,
    )


class Indexes:
    """The all-jobs set, one set per state and one per (type, state)."""

    def __init__(self) -> None:
        self.all = SortedSet()
        self._states = {state: SortedSet() for state in State}
        self._typed: dict[tuple[str, State], SortedSet] = {}
        self._empty = SortedSet()

    def add(self, record: Indexed) -> None:
        member = record.id
        self.all.add(member, record.priority)
        self._states[record.state].add(member, record_state_score(record))
        self._typed_set(record.type, record.state).add(member, type_score(record.priority))

    def discard(self, record: Indexed) -> None:
        member = record.id
        self.all.remove(member)
        self._states[record.state].remove(member)
        self.of(record.state, record.type).remove(member)

    def replace(self, old: Indexed, new: Indexed) -> None:
        """Re-index a job whose record changed: a set it stays in only sees a new score (or
        nothing, when the score is the same), so a move touches two sets of the three kinds
        less than "discard, then add" did."""
        member = new.id
        self.all.add(member, new.priority)
        _move(member, self._states[old.state], self._states[new.state], record_state_score(new))
        source = self.of(old.state, old.type)
        target = self._typed_set(new.type, new.state)
        _move(member, source, target, type_score(new.priority))

    def take_waiting(self, job_type: str, limit: int) -> list[int]:
        """Take the `limit` best jobs of `jobs:<type>:inactive` out of the inactive sets (a
        claim); the caller puts them back in their new state's sets with `enter`."""
        waiting = self._typed.get((job_type, State.INACTIVE))
        if waiting is None:
            return []
        members = waiting.pop_first(limit)
        everyone = self._states[State.INACTIVE]
        for member in members:
            everyone.remove(member)
        return members

    def enter(self, job: Indexed) -> None:
        """Put a job taken out with `take_waiting` into its (new) state's sets."""
        self._states[job.state].add(job.id, record_state_score(job))
        self._typed_set(job.type, job.state).add(job.id, type_score(job.priority))

    def move(self, job: Indexed, old_state: State) -> None:
        """Re-index a job changed in place from `old_state` to its state, its type and
        priority unchanged (claim, complete): only the state's sets change."""
        member = job.id
        self._states[old_state].remove(member)
        self._states[job.state].add(member, record_state_score(job))
        self.of(old_state, job.type).remove(member)
        self._typed_set(job.type, job.state).add(member, type_score(job.priority))

    def of(self, state: State, job_type: str | None = None) -> SortedSet:
        """`jobs:<state>` or `jobs:<type>:<state>` (an empty set when there is none)."""
        if job_type is None:
            return self._states[state]
        return self._typed.get((job_type, state), self._empty)

    def count_type(self, job_type: str) -> int:
        return sum(len(self.of(state, job_type)) for state in State)

    def snapshot(self) -> dict[str, ZSetItems]:
        """Every non-empty set under its Kue key name (without prefix), as Redis would list it."""
        sets: dict[str, SortedSet] = {"jobs": self.all}
        sets.update({f"jobs:{state.value}": zset for state, zset in self._states.items()})
        sets.update({f"jobs:{t}:{s.value}": zset for (t, s), zset in self._typed.items()})
        return {
            key: [(zid(member), score) for member, score in zset.items()]
            for key, zset in sorted(sets.items())
            if len(zset)
        }

    def _typed_set(self, job_type: str, state: State) -> SortedSet:
        """`jobs:<type>:<state>`, created on first use."""
        found = self._typed.get((job_type, state))
        if found is None:
            found = self._typed[job_type, state] = SortedSet()
        return found


def _move(member: int, source: SortedSet, target: SortedSet, score: float) -> None:
    if source is not target:
        source.remove(member)
    target.add(member, score)
