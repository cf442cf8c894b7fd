"""The memory storage's own, mutable copy of a job, frozen into a `JobRecord` when read out.

Rebuilding a 28-field `JobRecord` at every move (claim, then complete) was the largest
single cost of the memory adapter. A `StoredJob` has the same fields as plain slots: the hot
moves (`claim`, `complete`, lease renewal) change the few fields they touch in place, under
the storage's lock, and a `JobRecord` is built only when someone reads the job (`frozen`), and
then kept until the next change. So a claim builds the one record it hands to the worker,
and a completion builds none.

Only the methods below change a `StoredJob`, and each drops the kept record; the rarer moves
compute a new `JobRecord` with `records` (pure functions, shared reasoning with Redis's
scripts) and `assign` it, which keeps that record as the frozen one at no cost.

`data`, `progress_data` and `result` are kept as the JSON Redis would hold
(`kueport.domain.json_values`), in the stored job and in its kept record alike; every record
the storage hands out goes through `readable`, which decodes them: each reader gets its own
copy, as each Redis read is a fresh decode, so no caller, handler or retry sees another's
changes to a job's data.
"""

from __future__ import annotations

import operator

from kueport.domain.backoff import Backoff
from kueport.domain.job import JobRecord
from kueport.domain.json_values import decode_stored
from kueport.domain.retry import SuccessPlan
from kueport.domain.state import State
from kueport.domain.tuples import tuple_builder

_NAMES = JobRecord._fields
_VALUES = operator.attrgetter(*_NAMES)
#: `JobRecord._make` as one C call (`_VALUES` reads every field).
_RECORD = tuple_builder(JobRecord)
#: Read once: a `State.X` lookup costs about 90 ns on CPython 3.11, once per job here.
_ACTIVE, _COMPLETE = State.ACTIVE, State.COMPLETE
#: Where `claim` writes in a record's fields.
_STATE, _STARTED_AT, _UPDATED_AT, _WORKER_ID, _LEASE, _LEASE_UNTIL, _TTL_EXPIRES_AT = map(
    _NAMES.index,
    ("state", "started_at", "updated_at", "worker_id", "lease", "lease_until", "ttl_expires_at"),
)
#: The fields kept as JSON text.
_DATA, _PROGRESS_DATA, _RESULT = map(_NAMES.index, ("data", "progress_data", "result"))


def readable(record: JobRecord) -> JobRecord:
    """A kept record as callers get it: its JSON fields decoded into values of their own."""
    fields = list(record)
    fields[_DATA] = decode_stored(fields[_DATA])
    progress_data, result = fields[_PROGRESS_DATA], fields[_RESULT]
    if progress_data is not None:
        fields[_PROGRESS_DATA] = decode_stored(progress_data)
    if result is not None:
        fields[_RESULT] = decode_stored(result)
    return _RECORD(fields)


class StoredJob:
    """One job as the memory storage keeps it; not thread-safe (the storage holds a lock)."""

    __slots__ = (*_NAMES, "_frozen")

    id: int
    type: str
    data: str  # JSON text, as are progress_data and result
    state: State
    priority: int
    max_attempts: int
    attempts: int
    created_at: int
    promote_at: int
    updated_at: int
    started_at: int | None
    failed_at: int | None
    duration: int | None
    delay_ms: int
    ttl_ms: int | None
    backoff: Backoff | None
    remove_on_complete: bool
    remove_on_fail: bool
    progress: int | None
    progress_data: str | None
    result: str | None
    error: str | None
    worker_id: str | None
    search_keys: tuple[str, ...]
    ttl_expires_at: int | None
    stalled: int
    lease: str | None
    lease_until: int | None
    _frozen: JobRecord | None

    def __init__(self, record: JobRecord) -> None:
        self.assign(record)

    def assign(self, record: JobRecord) -> None:
        """Take every field of `record`, which becomes the frozen copy as it is."""
        _assign(self, record)

    def frozen(self) -> JobRecord:
        """The job as a `JobRecord` (built once per change), JSON fields as text: the
        storage's own; callers get `readable` of it."""
        record = self._frozen
        if record is None:
            record = self._frozen = _RECORD(_VALUES(self))
        return record

    @property
    def is_active(self) -> bool:
        return self.state is State.ACTIVE

    # -- the hot moves, in place (`records.claimed` / `records.completed` are the same) -----
    def claim(
        self, worker_id: str, lease: str, lease_until: int, now: int, ttl_deadline: int | None
    ) -> JobRecord:
        """Claimed by a worker: returns the record it gets, as `readable` would, built here
        in one pass (a claim always hands one out). No frozen copy is kept: the completion
        that usually follows would drop it unread."""
        kept = self._frozen
        self.state = _ACTIVE
        self.started_at = now
        self.updated_at = now
        self.worker_id = worker_id
        self.lease = lease
        self.lease_until = lease_until
        self.ttl_expires_at = ttl_deadline
        self._frozen = None
        if kept is None:
            fields = list(_VALUES(self))
        else:
            # The kept record with the claim's changes: a list copy and seven stores cost
            # less than reading 28 slots back (a waiting job's record is usually kept).
            fields = list(kept)
            fields[_STATE] = _ACTIVE
            fields[_STARTED_AT] = fields[_UPDATED_AT] = now
            fields[_WORKER_ID] = worker_id
            fields[_LEASE] = lease
            fields[_LEASE_UNTIL] = lease_until
            fields[_TTL_EXPIRES_AT] = ttl_deadline
        fields[_DATA] = decode_stored(self.data)
        if self.progress_data is not None:
            fields[_PROGRESS_DATA] = decode_stored(self.progress_data)
        if self.result is not None:
            fields[_RESULT] = decode_stored(self.result)
        return _RECORD(fields)

    def complete(self, result: str | None, plan: SuccessPlan, now: int) -> None:
        """`result`: its JSON (`encode_result`), None for none."""
        self.state = _COMPLETE
        self.attempts = plan.attempts
        self.duration = plan.duration_ms
        self.result = result
        self.progress = 100
        self.updated_at = now
        self.lease = None
        self.lease_until = None
        self.ttl_expires_at = None
        self._frozen = None

    def touch(self, now: int) -> None:
        self.updated_at = now
        self._frozen = None

    def renew(self, lease_until: int) -> None:
        self.lease_until = lease_until
        self._frozen = None


def _assign(job: StoredJob, record: JobRecord) -> None:
    """`StoredJob.assign`, written out field by field: one attribute copy per line, no loop
    (it runs on every enqueue). `tests/unit/test_memory_stored.py` checks that it copies
    every field of `JobRecord`."""
    job.id = record.id
    job.type = record.type
    job.data = record.data
    job.state = record.state
    job.priority = record.priority
    job.max_attempts = record.max_attempts
    job.attempts = record.attempts
    job.created_at = record.created_at
    job.promote_at = record.promote_at
    job.updated_at = record.updated_at
    job.started_at = record.started_at
    job.failed_at = record.failed_at
    job.duration = record.duration
    job.delay_ms = record.delay_ms
    job.ttl_ms = record.ttl_ms
    job.backoff = record.backoff
    job.remove_on_complete = record.remove_on_complete
    job.remove_on_fail = record.remove_on_fail
    job.progress = record.progress
    job.progress_data = record.progress_data
    job.result = record.result
    job.error = record.error
    job.worker_id = record.worker_id
    job.search_keys = record.search_keys
    job.ttl_expires_at = record.ttl_expires_at
    job.stalled = record.stalled
    job.lease = record.lease
    job.lease_until = record.lease_until
    job._frozen = record
