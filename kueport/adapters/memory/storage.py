"""The embedded storage: jobs in a dict, Kue's sorted sets in memory, one lock around all.

Counts, ranges and claim order are identical to the Redis adapter's because both order by
`kueport.domain.ordering` (score, then zid bytes). Claims block on a condition variable that
every move into `inactive` notifies; nothing polls. Jobs keep their data, progress data and
result as the JSON Redis would hold, encoded by the same rules, and every record handed out
is decoded afresh (`stored.readable`): what Redis refuses or converts, this adapter refuses or
converts alike, and no caller shares a job's data with the storage. The hot path (claims and
completions) is the `MemoryClaims` mixin (`claims.py`), reads are `MemoryReading`, operator
actions and maintenance `MemoryOperations`; this module keeps the other moves and the shared
internals.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence

from kueport.adapters.memory import records
from kueport.adapters.memory.claims import MemoryClaims
from kueport.adapters.memory.indexes import Indexes
from kueport.adapters.memory.operations import MemoryOperations, MinuteCounters
from kueport.adapters.memory.reading import MemoryReading
from kueport.adapters.memory.stored import StoredJob, readable
from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.json_values import encode_data, storable_text
from kueport.domain.retry import FailurePlan
from kueport.domain.stall import StallPlan
from kueport.domain.state import State, check_move
from kueport.domain.throughput import FAILED
from kueport.domain.workers import WorkerInfo
from kueport.ports.clock import Clock
from kueport.ports.storage import (
    Changes,
    EnqueueBatch,
)

#: Jobs `enqueue_many` stores under one hold of the lock.
_BATCH = 1_000


class MemoryStorage(MemoryClaims, MemoryReading, MemoryOperations):
    """`JobStorage` for one process: the default embedded backend and the test backend."""

    #: Writes never wait on I/O: a second writer would only wait for the lock.
    writes_wait = False
    transient_errors: tuple[type[Exception], ...] = ()  # every call reaches the storage

    def __init__(
        self,
        clock: Clock,
        announce: Callable[[JobEvent], None] | None = None,
        listening: Callable[[], bool] | None = None,
    ) -> None:
        """`listening` (`MemoryEventBus.listening`) lets the hot moves skip building events
        nobody would hear; without it every announced event is built and handed over."""
        self._clock = clock
        self._announce = announce
        self._listening = listening
        #: Held by every call (re-entrant: event handlers run under it and may read back);
        #: taken directly, not through `_cond`, whose `with` costs a Python-level call.
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._jobs: dict[int, StoredJob] = {}
        self._logs: dict[int, list[str]] = {}
        self._indexes = Indexes()
        self._types: set[str] = set()
        self._ids = itertools.count(1)
        #: Leases are this storage's random prefix and a claim counter: unique per claim like
        #: a uuid4, for a fraction of its cost (a fencing token, not a secret).
        self._lease_prefix = f"{uuid.uuid4().hex[:16]}-"
        self._leases = itertools.count(1)
        self._work_time: int | None = None
        self._workers: dict[str, tuple[WorkerInfo, int]] = {}
        self._paused: set[str] = set()
        self._stopped_claimers: set[str] = set()  # worker ids (`stop_claims`)
        self._counters = MinuteCounters()
        self._closed = False

    # -- producers -------------------------------------------------------------------------
    def enqueue(self, spec: JobSpec, now: int, announce: bool = False) -> JobRecord:
        data = encode_data(spec.data)
        with self._lock:
            stored = self._insert(spec, now, data)
            if announce and stored.state is State.INACTIVE and self._heard():
                self._announce_event(JobEvent(stored.id, EventName.ENQUEUE, (stored.type,)))
            return stored

    def enqueue_many(
        self, specs: Sequence[JobSpec], now: int, announce: Sequence[bool] = ()
    ) -> list[JobRecord]:
        """Takes the lock once per `_BATCH` jobs, not per job, nor for a whole huge batch
        (claimers would wait behind it). Every job's data is encoded first, so a job refused
        stores none (as on Redis, which encodes the whole batch before sending it)."""
        flags = announce or [False] * len(specs)
        texts = [encode_data(spec.data) for spec in specs]
        stored: list[JobRecord] = []
        for start in range(0, len(specs), _BATCH):
            end = start + _BATCH
            with self._lock:
                for spec, flag, data in zip(
                    specs[start:end], flags[start:end], texts[start:end], strict=True
                ):
                    record = self._insert(spec, now, data)
                    if flag and record.state is State.INACTIVE and self._heard():
                        event = JobEvent(record.id, EventName.ENQUEUE, (record.type,))
                        self._announce_event(event)
                    stored.append(record)
        return stored

    def enqueue_batches(
        self,
        batches: Iterable[EnqueueBatch],
        on_stored: Callable[[EnqueueBatch, list[JobRecord]], None],
    ) -> None:
        for batch in batches:
            on_stored(batch, self.enqueue_many(batch.specs, batch.now, batch.announce))

    def update(self, job_id: int, changes: Changes, now: int) -> JobRecord:
        with self._lock:
            stored = self._require(job_id)
            return self._store(stored, records.updated(stored.frozen(), changes, now))

    # -- workers ---------------------------------------------------------------------------
    def fail(
        self,
        job_id: int,
        lease: str | None,
        error: str,
        plan: FailurePlan,
        now: int,
        announce: Sequence[JobEvent] = (),
        max_log_lines: int = 0,
    ) -> JobRecord | None:
        """The error is stored as Redis must store it: lone surrogates escaped."""
        error = storable_text(error)
        with self._lock:
            stored = self._held(job_id, lease)
            self._log(job_id, records.error_log_line(error), max_log_lines)
            new = self._store(stored, records.failed(stored.frozen(), error, plan, now))
            self._counters.count(now, FAILED)
            for event in announce:
                self._announce_event(event)
            if plan.remove and new.state is State.FAILED:
                self._delete(stored)
                return None
            return new

    def recover_stalled(
        self,
        job_id: int,
        lease: str,
        plan: StallPlan,
        note: str,
        now: int,
        max_log_lines: int = 0,
    ) -> JobRecord | None:
        with self._lock:
            stored = self._held(job_id, lease)
            if stored.lease_until is None or stored.lease_until > now:
                raise LeaseLost(job_id)
            old = stored.frozen()
            if plan.failure is None:
                self._log(job_id, note, max_log_lines)
                return self._store(stored, records.requeued_after_stall(old, plan.stalled, now))
            self._log(job_id, records.error_log_line(note), max_log_lines)
            new = self._store(stored, records.failed(old, note, plan.failure, now))
            self._counters.count(now, FAILED)
            if plan.failure.remove:
                self._delete(stored)
                return None
            return new

    def renew_lease(self, job_id: int, lease: str, until: int) -> bool:
        with self._lock:
            stored = self._jobs.get(job_id)
            if stored is None or not stored.is_active or stored.lease != lease:
                return False
            stored.renew(until)
            return True

    def set_progress(
        self, job_id: int, lease: str | None, percent: int, data: JSONValue, now: int
    ) -> JobRecord:
        text = None if data is None else encode_data(data, "progress data")
        with self._lock:
            stored = self._require(job_id) if lease is None else self._held(job_id, lease)
            return self._store(stored, records.with_progress(stored.frozen(), percent, text, now))

    def append_log(self, job_id: int, line: str, now: int, max_lines: int = 0) -> None:
        with self._lock:
            stored = self._require(job_id)
            self._log(job_id, line, max_lines)
            stored.touch(now)

    # -- events ----------------------------------------------------------------------------
    def _announce_event(self, event: JobEvent) -> None:
        if self._announce is not None:
            self._announce(event)

    def _heard(self) -> bool:
        """Would an announced event reach anyone? (True when the bus cannot tell.)"""
        return self._announce is not None and (self._listening is None or self._listening())

    # -- people ----------------------------------------------------------------------------
    def move(self, job_id: int, state: State, now: int, promote_at: int | None = None) -> JobRecord:
        with self._lock:
            return self._move(job_id, state, now, promote_at)

    def remove(self, job_id: int) -> JobRecord | None:
        with self._lock:
            stored = self._jobs.get(job_id)
            if stored is None:
                return None
            self._delete(stored)
            return readable(stored.frozen())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._cond.notify_all()

    # -- internals (callers hold the lock) -------------------------------------------------
    def _require(self, job_id: int) -> StoredJob:
        stored = self._jobs.get(job_id)
        if stored is None:
            raise JobNotFound(job_id)
        return stored

    def _held(self, job_id: int, lease: str | None) -> StoredJob:
        """The job, if it is active under `lease` (None: active under any lease, or none)."""
        stored = self._require(job_id)
        if not stored.is_active or (lease is not None and stored.lease != lease):
            raise LeaseLost(job_id)
        return stored

    def _insert(self, spec: JobSpec, now: int, data: str) -> JobRecord:
        """A new job (`data`: its JSON); its log list is made by its first line (`_log`)."""
        record = records.new_record(next(self._ids), spec, now, data)
        self._types.add(record.type)
        return self._store(None, record)

    def _store(self, stored: StoredJob | None, new: JobRecord) -> JobRecord:
        """Store `new` as the job's record: a new job, or a new state of `stored`; returns
        it as callers get it (`readable`)."""
        if stored is None:
            self._indexes.add(new)
            self._jobs[new.id] = StoredJob(new)
        else:
            self._indexes.replace(stored, new)
            stored.assign(new)
        if new.state is State.INACTIVE:
            self._cond.notify_all()
        return readable(new)

    def _log(self, job_id: int, line: str, max_lines: int) -> None:
        lines = self._logs.setdefault(job_id, [])
        lines.append(line)
        if 0 < max_lines < len(lines):
            del lines[: len(lines) - max_lines]

    def _delete(self, stored: StoredJob) -> None:
        self._indexes.discard(stored)
        del self._jobs[stored.id]
        self._logs.pop(stored.id, None)

    def _move(self, job_id: int, state: State, now: int, promote_at: int | None) -> JobRecord:
        stored = self._require(job_id)
        check_move(job_id, stored.state, state)
        return self._store(stored, records.moved(stored.frozen(), state, now, promote_at))
