"""The memory storage's reads: jobs, logs, counts, ranges, expired jobs, live workers.

A mixin of `MemoryStorage` (whose lock guards everything here too), kept apart to keep
that module about the moves.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from kueport.adapters.memory.indexes import Indexes, ZSetItems
from kueport.adapters.memory.stored import StoredJob, readable
from kueport.adapters.memory.zset import rank_slice
from kueport.domain.job import JobRecord
from kueport.domain.ordering import TIMED_BASE
from kueport.domain.state import State
from kueport.domain.ttl import lease_expired, ttl_exceeded
from kueport.domain.workers import WorkerInfo
from kueport.ports.storage import Order


class MemoryReading:
    """Mixed into `MemoryStorage`; every method takes its lock."""

    _lock: threading.RLock
    _jobs: dict[int, StoredJob]
    _logs: dict[int, list[str]]
    _indexes: Indexes
    _types: set[str]
    _work_time: int | None
    _workers: dict[str, tuple[WorkerInfo, int]]

    def get(self, job_id: int) -> JobRecord | None:
        with self._lock:
            stored = self._jobs.get(job_id)
            return None if stored is None else readable(stored.frozen())

    def get_many(self, job_ids: Sequence[int]) -> list[JobRecord]:
        with self._lock:
            jobs = self._jobs
            return [readable(jobs[job_id].frozen()) for job_id in job_ids if job_id in jobs]

    def logs(self, job_id: int) -> list[str]:
        with self._lock:
            return list(self._logs.get(job_id, ()))

    def count(self, state: State | None = None, job_type: str | None = None) -> int:
        with self._lock:
            if state is not None:
                return len(self._indexes.of(state, job_type))
            if job_type is not None:
                return self._indexes.count_type(job_type)
            return len(self._indexes.all)

    def ids(self, state: State, job_type: str | None = None) -> list[int]:
        with self._lock:
            return list(self._indexes.of(state, job_type))

    def range(
        self,
        state: State | None,
        job_type: str | None,
        start: int,
        stop: int,
        order: Order = "asc",
    ) -> list[JobRecord]:
        with self._lock:
            members = rank_slice(self._ranked(state, job_type), start, stop)
            picked = sorted(self._records(members), key=lambda r: r.id)
            return [readable(r) for r in (picked[::-1] if order == "desc" else picked)]

    def types(self) -> list[str]:
        with self._lock:
            return sorted(self._types)

    def work_time(self) -> int | None:
        with self._lock:
            return self._work_time

    def ttl_expired(self, now: int, limit: int) -> list[JobRecord]:
        # Active jobs without a TTL score -abs(priority) <= 0; with one, TIMED_BASE + deadline.
        with self._lock:
            due = self._indexes.of(State.ACTIVE).range_by_score(TIMED_BASE + 1, TIMED_BASE + now)
            expired = [r for r in self._records(due) if ttl_exceeded(r, now)][: max(0, limit)]
            return [readable(r) for r in expired]

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        with self._lock:
            active = self._records(self._indexes.of(State.ACTIVE))
            expired = [r for r in active if lease_expired(r, now)]
            expired.sort(key=lambda r: (r.lease_until, r.id))
            return [readable(r) for r in expired[: max(0, limit)]]

    def live_workers(self, now: int) -> list[WorkerInfo]:
        with self._lock:
            alive = [info for info, until in self._workers.values() if until >= now]
            return sorted(alive, key=lambda info: info.worker_id)

    # -- test helpers (not part of the port) -----------------------------------------------
    def snapshot_indexes(self) -> dict[str, ZSetItems]:
        """Every non-empty sorted set under its Kue key name, as (member, score) pairs."""
        with self._lock:
            return self._indexes.snapshot()

    def _records(self, job_ids: Iterable[int]) -> list[JobRecord]:
        """The kept records (JSON fields as text: `readable` them before handing out)."""
        found = (self._jobs.get(job_id) for job_id in job_ids)
        return [stored.frozen() for stored in found if stored is not None]

    def _ranked(self, state: State | None, job_type: str | None) -> list[int]:
        """Members of the set a range reads: a state's, or all jobs (of one type when given)."""
        if state is not None:
            return list(self._indexes.of(state, job_type))
        members = list(self._indexes.all)
        if job_type is None:
            return members
        return [m for m in members if self._jobs[m].type == job_type]
