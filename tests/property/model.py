"""A pure reference model of job storage: plain dicts and lists, no adapter code.

It says, for any sequence of operations, which state every job is in, in which order each
sorted set lists them, and what a claim, a promotion or a TTL sweep must return. It borrows
from the domain only Kue's member encoding (`zid`, `sort_key`: score, then member bytes, the
order of a Redis sorted set) and the backoff formulas (`next_delay_ms`); the state table, the
scores, the attempts arithmetic and every membership are worked out here, independently of the
adapters and of `kueport.domain.state` / `retry` / `ordering.state_score`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kueport.domain.backoff import Backoff, next_delay_ms
from kueport.domain.ordering import sort_key, zid
from kueport.domain.state import State

INACTIVE, ACTIVE, COMPLETE, FAILED, DELAYED = (
    State.INACTIVE,
    State.ACTIVE,
    State.COMPLETE,
    State.FAILED,
    State.DELAYED,
)

#: Moves a person may not make: nothing is ever *started* by hand (only a claim, which gives
#: the job a lease, makes it active); every other move (and staying put) is allowed.
FORBIDDEN_MOVES: dict[State, frozenset[State]] = {
    INACTIVE: frozenset({ACTIVE}),
    ACTIVE: frozenset(),
    DELAYED: frozenset({ACTIVE}),
    COMPLETE: frozenset({ACTIVE}),
    FAILED: frozenset({ACTIVE}),
}

#: Kue logs the first line of every failed attempt's error.
TTL_ERROR = "TTL exceeded"


@dataclass
class ModelJob:
    id: int
    type: str
    state: State
    priority: int
    max_attempts: int
    delay_ms: int
    ttl_ms: int | None
    backoff: Backoff | None
    remove_on_complete: bool
    remove_on_fail: bool
    created_at: int
    promote_at: int
    attempts: int = 0
    started_at: int | None = None
    failed_at: int | None = None
    ttl_expires_at: int | None = None
    lease: str | None = None
    logs: list[str] = field(default_factory=list)

    def release(self) -> None:
        """What leaving `active` forgets: the lease and the TTL deadline."""
        self.lease = None
        self.ttl_expires_at = None

    def start(self, now: int) -> None:
        self.state = ACTIVE
        self.started_at = now
        self.lease = None
        self.ttl_expires_at = now + self.ttl_ms if self.ttl_ms else None

    def state_score(self) -> float:
        """Score in `jobs:<state>`: due time when delayed; when active, 10**15 past the TTL
        deadline (beyond any `Date.now()`, where Node Kue's TTL checker never looks) or
        -|priority|; the priority otherwise."""
        if self.state is DELAYED:
            return self.promote_at
        if self.state is ACTIVE:
            if self.ttl_expires_at is None:
                return -abs(self.priority)
            return 10**15 + self.ttl_expires_at
        return self.priority


def _next_attempts(job: ModelJob) -> int:
    """Kue counts an attempt only while fewer than `max_attempts` have been recorded."""
    return job.attempts + 1 if job.attempts < job.max_attempts else job.attempts


def rank_slice(items: list[int], start: int, stop: int) -> list[int]:
    """Redis ranks: inclusive `stop`, negative ranks counted from the end."""
    size = len(items)
    start = max(0, start + size) if start < 0 else start
    stop = stop + size if stop < 0 else stop
    return items[start : min(stop, size - 1) + 1] if start <= stop else []


class StorageModel:
    """The expected content of a storage, moved by the same operations the machine runs."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.jobs: dict[int, ModelJob] = {}
        self.removed: set[int] = set()
        self.types: set[str] = set()
        self.work_time: int | None = None
        self._next_id = 1

    # -- time --------------------------------------------------------------------------------
    def advance(self, ms: int) -> None:
        self.now += ms

    # -- producers ---------------------------------------------------------------------------
    def enqueue(
        self, job_type: str, priority: int, max_attempts: int, delay_ms: int, **rest: Any
    ) -> int:
        """Ids start at 1 and are never reused; a delay makes the job wait in `delayed`."""
        job_id, self._next_id = self._next_id, self._next_id + 1
        self.jobs[job_id] = ModelJob(
            id=job_id,
            type=job_type,
            state=DELAYED if delay_ms > 0 else INACTIVE,
            priority=priority,
            max_attempts=max_attempts,
            delay_ms=delay_ms,
            created_at=self.now,
            promote_at=self.now + delay_ms,
            **rest,
        )
        self.types.add(job_type)
        return job_id

    def update_priority(self, job_id: int, priority: int) -> None:
        """A re-save: new priority; an active job with a TTL gets a fresh deadline (refreshTtl)."""
        job = self.jobs[job_id]
        job.priority = priority
        if job.state is ACTIVE:
            job.ttl_expires_at = self.now + job.ttl_ms if job.ttl_ms else None

    # -- workers -----------------------------------------------------------------------------
    def claim(self, job_type: str, limit: int) -> list[int]:
        """The best `limit` inactive jobs of the type (priority, then zid) become active."""
        taken = self.ids(INACTIVE, job_type)[:limit]
        for job_id in taken:
            self.jobs[job_id].start(self.now)
        return taken

    def holds(self, job_id: int, lease: str | None) -> bool:
        """A write under `lease` is accepted (None: any active job, an unfenced write)."""
        job = self.jobs.get(job_id)
        return job is not None and job.state is ACTIVE and lease in (None, job.lease)

    def complete(self, job_id: int) -> bool:
        """Finish an attempt; True when remove_on_complete deleted the job."""
        job = self.jobs[job_id]
        started = job.started_at if job.started_at is not None else self.now
        self.work_time = (self.work_time or 0) + max(0, self.now - started)
        job.attempts = _next_attempts(job)
        job.state = COMPLETE
        job.release()
        if job.remove_on_complete:
            self.remove(job_id)
        return job.remove_on_complete

    def fail(self, job_id: int, error: str) -> bool:
        """Kue's retry rule: attempts left -> inactive now, or delayed by the backoff; none
        left -> failed (and deleted with remove_on_fail). True when the job was deleted."""
        job = self.jobs[job_id]
        job.attempts = _next_attempts(job)
        job.failed_at = self.now
        job.logs.append(error.partition("\n")[0])
        job.release()
        if job.attempts >= job.max_attempts:
            job.state = FAILED
            if job.remove_on_fail:
                self.remove(job_id)
            return job.remove_on_fail
        if job.backoff is None:
            job.state, job.promote_at = INACTIVE, self.now
            return False
        job.delay_ms = next_delay_ms(
            job.backoff, attempts=job.attempts, job_delay_ms=job.delay_ms, registry={}
        )
        job.state, job.promote_at = DELAYED, self.now + job.delay_ms
        return False

    # -- maintenance -------------------------------------------------------------------------
    def promote_due(self) -> list[int]:
        """Delayed jobs whose time has come, earliest first, move to inactive."""
        due = [i for i in self.ids(DELAYED) if self.jobs[i].promote_at <= self.now]
        for job_id in due:
            self.jobs[job_id].state = INACTIVE
        return due

    def ttl_expired(self) -> list[int]:
        """Active jobs past their TTL deadline, earliest deadline first (read only)."""
        return [
            job_id
            for job_id in self.ids(ACTIVE)
            if (deadline := self.jobs[job_id].ttl_expires_at) is not None and deadline <= self.now
        ]

    def deadlines(self) -> list[int]:
        """Due times of delayed jobs and TTL deadlines of active ones, not yet passed."""
        moments = {j.promote_at for j in self.jobs.values() if j.state is DELAYED}
        moments |= {j.ttl_expires_at for j in self.jobs.values() if j.ttl_expires_at is not None}
        return sorted(t for t in moments if t >= self.now)

    # -- people ------------------------------------------------------------------------------
    def can_move(self, job_id: int, target: State) -> bool:
        return target not in FORBIDDEN_MOVES[self.jobs[job_id].state]

    def move(self, job_id: int, target: State) -> None:
        """A move by hand. Staying put changes nothing; leaving active breaks the lease;
        entering delayed waits the job's own delay from now; entering active starts the job
        with no lease."""
        job = self.jobs[job_id]
        if target is job.state:
            return
        if target is DELAYED:
            job.promote_at = self.now + job.delay_ms
        if target is ACTIVE:
            job.start(self.now)
            return
        job.state = target
        job.release()

    def remove(self, job_id: int) -> None:
        if self.jobs.pop(job_id, None) is not None:
            self.removed.add(job_id)

    # -- reading -----------------------------------------------------------------------------
    def ids(self, state: State, job_type: str | None = None) -> list[int]:
        """`jobs:<state>` by state score, or `jobs:<type>:<state>` by priority; ties by zid."""
        chosen = [j for j in self.jobs.values() if j.state is state]
        if job_type is None:
            chosen.sort(key=lambda j: sort_key(j.state_score(), zid(j.id)))
        else:
            chosen = [j for j in chosen if j.type == job_type]
            chosen.sort(key=lambda j: sort_key(j.priority, zid(j.id)))
        return [j.id for j in chosen]

    def all_ids(self, job_type: str | None = None) -> list[int]:
        """The `jobs` set (every job by priority, ties by zid), optionally of one type."""
        chosen = [j for j in self.jobs.values() if job_type in (None, j.type)]
        chosen.sort(key=lambda j: sort_key(j.priority, zid(j.id)))
        return [j.id for j in chosen]

    def count(self, state: State | None = None, job_type: str | None = None) -> int:
        return sum(
            1 for j in self.jobs.values() if state in (None, j.state) and job_type in (None, j.type)
        )

    def range(
        self, state: State | None, job_type: str | None, start: int, stop: int, order: str
    ) -> list[int]:
        """Kue's range: ranks by score, then those jobs by id (descending for `desc`)."""
        ranked = self.all_ids(job_type) if state is None else self.ids(state, job_type)
        picked = sorted(rank_slice(ranked, start, stop))
        return picked[::-1] if order == "desc" else picked

    def in_state(self, *states: State) -> list[int]:
        return sorted(j.id for j in self.jobs.values() if j.state in states)
