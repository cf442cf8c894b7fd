"""The memory storage's operator actions and maintenance: bulk retry and promotion, pausing
types, promoting due jobs, retention (`clean`), workers' heartbeats and the
per-minute throughput counters. A mixin of `MemoryStorage`, kept apart to keep it small.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

from kueport.adapters.memory.indexes import Indexes
from kueport.adapters.memory.stored import StoredJob, readable
from kueport.adapters.memory.zset import NEG_INF
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord
from kueport.domain.retention import cleanable, select_victims
from kueport.domain.state import State
from kueport.domain.throughput import (
    COMPLETE,
    COUNTER_TTL_MS,
    FAILED,
    MINUTE_MS,
    MinuteCount,
    minute_start,
)
from kueport.domain.workers import WorkerInfo


class MinuteCounters:
    """Completed and failed attempts per minute; minutes older than the counters' TTL are
    dropped as new ones are counted, as Redis expires its counter keys."""

    def __init__(self) -> None:
        self._minutes: dict[int, dict[str, int]] = {}
        #: When the oldest minute expires: until then a count touches one dict, no scan.
        self._next_expiry = math.inf
        #: The minute counted last (its start and its counts): most counts fall in it.
        self._minute = -MINUTE_MS
        self._counts: dict[str, int] = {}

    def count(self, now: int, outcome: str, jobs: int = 1) -> None:
        counts = self._counts
        if not 0 <= now - self._minute < MINUTE_MS:
            counts = self._counts_of(minute_start(now))
        counts[outcome] = counts.get(outcome, 0) + jobs
        if now >= self._next_expiry:
            self._expire(now)

    def _counts_of(self, minute: int) -> dict[str, int]:
        counts = self._minutes.get(minute)
        if counts is None:
            counts = self._minutes[minute] = {}
            self._next_expiry = min(self._next_expiry, minute + COUNTER_TTL_MS)
        self._minute, self._counts = minute, counts
        return counts

    def _expire(self, now: int) -> None:
        expired = [m for m in self._minutes if m + COUNTER_TTL_MS <= now]
        for gone in expired:
            del self._minutes[gone]
            if gone == self._minute:  # the next count in it starts a fresh one
                self._minute, self._counts = -MINUTE_MS, {}
        self._next_expiry = min(self._minutes, default=math.inf) + COUNTER_TTL_MS

    def read(self, minutes: Sequence[int]) -> list[MinuteCount]:
        found = []
        for minute in minutes:
            counts = self._minutes.get(minute, {})
            found.append(MinuteCount(minute, counts.get(COMPLETE, 0), counts.get(FAILED, 0)))
        return found


class MemoryOperations:
    """Mixed into `MemoryStorage`, whose lock guards everything here too."""

    _lock: threading.RLock
    _cond: threading.Condition
    _indexes: Indexes
    _jobs: dict[int, StoredJob]
    _paused: set[str]
    _counters: MinuteCounters
    _workers: dict[str, tuple[WorkerInfo, int]]

    def _move(self, job_id: int, state: State, now: int, promote_at: int | None) -> JobRecord:
        raise NotImplementedError

    def _store(self, stored: StoredJob | None, new: JobRecord) -> JobRecord:
        raise NotImplementedError

    def _announce_event(self, event: JobEvent) -> None:
        raise NotImplementedError

    def _delete(self, stored: StoredJob) -> None:
        raise NotImplementedError

    def retry_failed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        with self._lock:
            members = self._indexes.of(State.FAILED, job_type).first(max(0, limit))
            retried = []
            for job_id in members:
                moved = self._move(job_id, State.INACTIVE, now, None)
                stored = self._jobs[job_id]
                retried.append(self._store(stored, stored.frozen()._replace(attempts=0)))
                self._announce_event(JobEvent(job_id, EventName.ENQUEUE, (moved.type,)))
            return retried

    def promote_delayed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        with self._lock:
            members = self._indexes.of(State.DELAYED, job_type).first(max(0, limit))
            promoted = []
            for job_id in members:
                record = self._move(job_id, State.INACTIVE, now, None)
                self._announce_event(JobEvent(job_id, EventName.PROMOTION))
                self._announce_event(JobEvent(job_id, EventName.ENQUEUE, (record.type,)))
                promoted.append(record)
            return promoted

    def pause_type(self, job_type: str) -> None:
        with self._lock:
            self._paused.add(job_type)

    def resume_type(self, job_type: str) -> None:
        with self._lock:
            self._paused.discard(job_type)
            self._cond.notify_all()  # wake claimers waiting on the type

    def paused_types(self) -> set[str]:
        with self._lock:
            return set(self._paused)

    def throughput(self, minutes: Sequence[int]) -> list[MinuteCount]:
        with self._lock:
            return self._counters.read(minutes)

    # -- maintenance -----------------------------------------------------------------------
    def promote_due(self, now: int, limit: int) -> list[JobRecord]:
        with self._lock:
            due = self._indexes.of(State.DELAYED).range_by_score(NEG_INF, now, limit)
            promoted = [self._move(job_id, State.INACTIVE, now, None) for job_id in due]
            for record in promoted:  # under the lock: announced before anyone can claim it
                self._announce_event(JobEvent(record.id, EventName.PROMOTION))
                self._announce_event(JobEvent(record.id, EventName.ENQUEUE, (record.type,)))
            return promoted

    def reconcile_tokens(self) -> int:
        """The memory backend wakes claimers with a condition variable: no tokens to drift."""
        return 0

    def clean(
        self,
        state: State,
        *,
        older_than: int | None,
        keep: int,
        limit: int,
        now: int,
        job_type: str | None = None,
    ) -> list[JobRecord]:
        cleanable(state)
        with self._lock:
            jobs = self._jobs
            found = [jobs[job_id] for job_id in self._indexes.of(state, job_type)]
            candidates = [(stored.id, stored.updated_at) for stored in found]
            victims = select_victims(
                candidates, keep=keep, older_than=older_than, limit=limit, now=now
            )
            removed = []
            for job_id, _ in victims:
                stored = jobs[job_id]
                removed.append(readable(stored.frozen()))
                self._delete(stored)
            return removed

    # -- workers' heartbeats ---------------------------------------------------------------
    def beat(self, info: WorkerInfo, expires_at: int) -> None:
        with self._lock:
            self._workers[info.worker_id] = (info, expires_at)
            gone = [wid for wid, (_, until) in self._workers.items() if until < info.last_seen]
            for worker_id in gone:
                del self._workers[worker_id]

    def forget_worker(self, worker_id: str) -> None:
        with self._lock:
            self._workers.pop(worker_id, None)
