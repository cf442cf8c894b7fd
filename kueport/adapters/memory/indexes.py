"""Kue's sorted-set indexes, kept in memory with the same members and scores as in Redis.

`jobs` holds every job by priority, `jobs:<state>` scores by `state_score` (promote_at for
delayed, the TTL deadline or `-abs(priority)` for active), `jobs:<type>:<state>` by priority.
Every score is a function of the stored record, so re-indexing is "take the job out of the
sets the old record was in, put it into the new record's sets". Members are job ids (see
`zset`); `snapshot` shows them as Kue's zids.
"""

from __future__ import annotations

from typing import Protocol

from kueport.adapters.memory.merged import MergedSet
from kueport.adapters.memory.zset import SortedSet
from kueport.domain.ordering import state_score, type_score, zid
from kueport.domain.state import State

#: A zset's content as (member, score) pairs, in order.
ZSetItems = list[tuple[str, float]]

#: States whose `jobs:<state>` is not kept but read from the per-type sets (see `merged`):
#: their state score is the priority, like the per-type score.
MERGED_STATES = frozenset({State.INACTIVE, State.COMPLETE, State.FAILED})


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


class Lane:
    """One job type's hot-path sets: a claim takes jobs from `waiting` (`pop_first`) and
    puts them into `active` (and the state-wide `all_active`); a completion moves them on
    to `complete`. Each set is looked up once per type instead of once per move, and the
    storage's claim and completion loops call these sets' methods directly (a method of
    `Lane` between them cost a Python call per job). Type and priority do not change on
    these moves, so `jobs` (all) is untouched. Sets may be empty: readers skip empty sets.

    The storage's loops score with `ordering.active_score` and `ordering.type_score`, as
    `Indexes.add` does.
    """

    __slots__ = ("active", "all_active", "complete", "waiting")

    def __init__(
        self, waiting: SortedSet, active: SortedSet, complete: SortedSet, all_active: SortedSet
    ) -> None:
        self.waiting = waiting  # `jobs:<type>:inactive` (`jobs:inactive` is a view of these)
        self.active = active  # `jobs:<type>:active`
        self.complete = complete  # `jobs:<type>:complete`
        self.all_active = all_active  # `jobs:active`, scored by TTL deadline or priority


class Indexes:
    """The all-jobs set, one set per state and one per (type, state).

    The state-wide sets of `MERGED_STATES` are views of their per-type sets; `_states` keeps
    the others (delayed and active, scored by when they are due).
    """

    def __init__(self) -> None:
        self.all = SortedSet()
        self._states = {state: SortedSet() for state in State if state not in MERGED_STATES}
        self._typed: dict[tuple[str, State], SortedSet] = {}
        #: Each state's per-type sets, in the order they were made (what a view merges).
        self._typed_of: dict[State, list[SortedSet]] = {state: [] for state in State}
        self._merged = {state: MergedSet(self._typed_of[state]) for state in MERGED_STATES}
        self._empty = SortedSet()
        #: Made by `lane`; read directly (`lanes.get(t) or lane(t)`) on the hot path.
        self.lanes: dict[str, Lane] = {}

    def add(self, record: Indexed) -> None:
        member = record.id
        self.all.add(member, record.priority)
        kept = self._states.get(record.state)
        if kept is not None:
            kept.add(member, record_state_score(record))
        self._typed_set(record.type, record.state).add(member, type_score(record.priority))

    def discard(self, record: Indexed) -> None:
        member = record.id
        self.all.remove(member)
        kept = self._states.get(record.state)
        if kept is not None:
            kept.remove(member)
        self._typed.get((record.type, record.state), self._empty).remove(member)

    def replace(self, old: Indexed, new: Indexed) -> None:
        """Re-index a job whose record changed: a set it stays in only sees a new score (or
        nothing, when the score is the same), so a move touches two sets of the three kinds
        less than "discard, then add" did."""
        member = new.id
        if new.priority != old.priority:
            self.all.add(member, new.priority)
        self._move_state(member, old.state, new)
        source = self._typed.get((old.type, old.state), self._empty)
        target = self._typed_set(new.type, new.state)
        if source is not target:
            source.remove(member)
        target.add(member, type_score(new.priority))

    def lane(self, job_type: str) -> Lane:
        """The sets a claim and a completion of `job_type` touch (made on first use)."""
        found = self.lanes.get(job_type)
        if found is None:
            found = self.lanes[job_type] = Lane(
                waiting=self._typed_set(job_type, State.INACTIVE),
                active=self._typed_set(job_type, State.ACTIVE),
                complete=self._typed_set(job_type, State.COMPLETE),
                all_active=self._states[State.ACTIVE],
            )
        return found

    def of(self, state: State, job_type: str | None = None) -> SortedSet | MergedSet:
        """`jobs:<state>` or `jobs:<type>:<state>` (an empty set when there is none)."""
        if job_type is None:
            kept = self._states.get(state)
            return self._merged[state] if kept is None else kept
        return self._typed.get((job_type, state), self._empty)

    def count_type(self, job_type: str) -> int:
        return sum(len(self.of(state, job_type)) for state in State)

    def snapshot(self) -> dict[str, ZSetItems]:
        """Every non-empty set under its Kue key name (without prefix), as Redis would list it."""
        sets: dict[str, SortedSet | MergedSet] = {"jobs": self.all}
        sets.update({f"jobs:{state.value}": self.of(state) for state in State})
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
            self._typed_of[state].append(found)
        return found

    def _move_state(self, member: int, old_state: State, new: Indexed) -> None:
        """`jobs:<state>` of a job leaving `old_state` for `new.state` (views need nothing)."""
        source = self._states.get(old_state)
        target = self._states.get(new.state)
        if source is not None and source is not target:
            source.remove(member)
        if target is not None:
            target.add(member, record_state_score(new))
