"""The user-facing job: a fluent builder before `save()`, a view of the stored job after it."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from kueport.arguments import callable_of, check_type
from kueport.domain.backoff import parse_backoff
from kueport.domain.durations import Duration, delay_ms, to_ms
from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.priority import parse_priority
from kueport.domain.state import State
from kueport.emitter import Emitter, Listener
from kueport.job_options import NO_OPTIONS, checked_attempts, fresh_options
from kueport.logformat import format_log
from kueport.ports.storage import Changes
from kueport.presenters import job_json

if TYPE_CHECKING:
    from kueport.queue import Queue
    from kueport.service import JobService


#: Guards the creation of a job's emitter (rare: only jobs given listeners have one).
_EMITTER_LOCK = threading.Lock()
_new_instance = object.__new__


def _key_tuple(keys: object) -> tuple[object, ...]:
    if not isinstance(keys, Iterable):
        raise InvalidJobOption(f"invalid search keys {keys!r}: use a list of strings")
    return tuple(keys)


class Job:
    """Made by `queue.create(type, data)`; read id, type, data, state, result, error."""

    def __init__(
        self,
        queue: Queue,
        job_type: str,
        data: JSONValue = None,
        *,
        record: JobRecord | None = None,
        lease: str | None = None,
        service: JobService | None = None,
    ) -> None:
        self._queue = queue
        self.type = check_type(job_type)
        self.data: JSONValue = {} if data is None else data
        self._record = record
        self._lease = lease
        self._bound_service = service
        self._options = NO_OPTIONS
        self._emitter: Emitter | None = None  # made by the first listener: most jobs get none

    @classmethod
    def bound(cls, queue: Queue, record: JobRecord, lease: str, service: JobService) -> Job:
        """The job a worker runs: what `__init__` sets, set directly. Made once per job on
        a worker's hot path, where the class call with keywords cost twice the job itself;
        the type needs no check (it was stored)."""
        job = _new_instance(cls)
        job._queue = queue
        job.type = record.type
        job.data = {} if record.data is None else record.data
        job._record = record
        job._lease = lease
        job._bound_service = service
        job._options = NO_OPTIONS
        job._emitter = None
        return job

    @property
    def _service(self) -> JobService:
        """The backend this job lives on: fixed for a job a worker runs, else the queue's."""
        return self._bound_service or self._queue.service

    # -- reading -------------------------------------------------------------------------
    @property
    def queue(self) -> Queue:
        return self._queue

    @property
    def id(self) -> int | None:
        return None if self._record is None else self._record.id

    @property
    def record(self) -> JobRecord | None:
        """The stored job as last seen by this object (None before `save()`)."""
        return self._record

    @property
    def state(self) -> str | None:
        return None if self._record is None else self._record.state.value

    @property
    def result(self) -> JSONValue:
        return None if self._record is None else self._record.result

    @property
    def error(self) -> str | None:
        return None if self._record is None else self._record.error

    def refresh(self) -> Job:
        """Re-read the stored job (state, result, progress...)."""
        self._record = self._service.get(self._require_id())
        self.data = self._record.data
        return self

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON of `GET /job/:id` (Kue's toJSON, ids as numbers)."""
        if self._record is None:
            raise InvalidJobOption("the job has not been saved yet")
        return job_json(self._record)

    def logs(self) -> list[str]:
        return self._service.storage.logs(self._require_id())

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.type!r} {self.state}>"

    # -- fluent options ------------------------------------------------------------------
    def priority(self, value: int | str) -> Job:
        self._set(priority=parse_priority(value))
        return self

    def attempts(self, count: int) -> Job:
        self._set(attempts=checked_attempts(count))
        return self

    def backoff(self, policy: object) -> Job:
        self._set(backoff=parse_backoff(policy), backoff_set=True)
        return self

    def delay(self, value: Duration | datetime) -> Job:
        """Seconds, a timedelta, or the moment to run at (checked now, measured at `save`)."""
        delay_ms(value, self._service.now())
        self._set(delay=value)
        return self

    def ttl(self, value: Duration) -> Job:
        ttl = to_ms(value, what="ttl")
        self._set(ttl_ms=ttl or None)
        return self

    def remove_on_complete(self, value: bool = True) -> Job:
        self._set(remove_on_complete=bool(value))
        return self

    def remove_on_fail(self, value: bool = True) -> Job:
        self._set(remove_on_fail=bool(value))
        return self

    def search_keys(self, keys: str | Iterable[str]) -> Job:
        """The data paths to index: a list of them, or one path as a plain string (which
        Python would otherwise split into characters, indexing nothing)."""
        found = (keys,) if isinstance(keys, str) else _key_tuple(keys)
        if not all(isinstance(key, str) and key for key in found):
            raise InvalidJobOption(f"invalid search keys {keys!r}: use non-empty strings")
        self._set(search_keys=found)
        return self

    def events(self, enabled: bool = True) -> Job:
        """`events(False)`: no job-level events for this job (saves the listener bookkeeping)."""
        self._set(events=bool(enabled))
        return self

    def _set(self, **changes: Any) -> None:
        self._options = attrs.evolve(self._options, **changes)

    # -- saving --------------------------------------------------------------------------
    def save(self) -> Job:
        """Store a new job, or apply changed options to a stored one; returns the job."""
        if self._record is None:
            self._record = self._queue.save_new(self, self._spec())
        else:
            self._record = self._service.update(self._record.id, self._changes())
        self._options = fresh_options(self._options.events)
        return self

    def _stored_new(self, record: JobRecord) -> None:
        """Become the stored job `record` (the bulk save's counterpart of `save`)."""
        self._record = record
        self._options = fresh_options(self._options.events)

    def _spec(self) -> JobSpec:
        opts = self._options
        delay = 0 if opts.delay is None else delay_ms(opts.delay, self._service.now())
        return JobSpec(
            type=self.type,
            data=self.data,
            priority=opts.priority or 0,
            max_attempts=opts.attempts or 1,
            delay_ms=delay,
            ttl_ms=opts.ttl_ms,
            backoff=opts.backoff,
            remove_on_complete=bool(opts.remove_on_complete),
            remove_on_fail=bool(opts.remove_on_fail),
            search_keys=opts.search_keys or (),
        )

    def _changes(self) -> Changes:
        opts = self._options
        assert self._record is not None
        delay = None if opts.delay is None else delay_ms(opts.delay, self._service.now())
        return Changes(
            priority=opts.priority,
            max_attempts=opts.attempts,
            delay_ms=delay,
            ttl_ms=opts.ttl_ms,
            backoff=opts.backoff,
            backoff_set=opts.backoff_set,
            remove_on_complete=opts.remove_on_complete,
            remove_on_fail=opts.remove_on_fail,
            data=self.data,
            replace_data=True,  # edits made in place are invisible to a comparison: Kue writes it
        )

    @property
    def wants_events(self) -> bool:
        return self._options.events

    # -- events --------------------------------------------------------------------------
    def on(self, event: str, fn: Listener) -> Job:
        """Listen to this job's events: complete, failed, failed attempt, progress, start...
        A listener that cannot be called is refused here (`InvalidArgument`), not when the
        event comes."""
        self._listeners().on(event, callable_of("listener", fn))
        self._queue.track(self)
        return self

    def once(self, event: str, fn: Listener) -> Job:
        self._listeners().once(event, callable_of("listener", fn))
        self._queue.track(self)
        return self

    def emit(self, event: str, *args: Any) -> None:
        if self._emitter is not None:
            self._emitter.emit(event, *args)

    @property
    def has_listeners(self) -> bool:
        return self._emitter is not None and self._emitter.has_listeners()

    def _listeners(self) -> Emitter:
        with _EMITTER_LOCK:  # two threads adding the first listeners must share one emitter
            if self._emitter is None:
                self._emitter = Emitter(on_listener_error=self._queue.listener_failed)
            return self._emitter

    # -- inside a handler (fenced by the lease) or from anywhere -------------------------
    def log(self, *args: Any) -> Job:
        """`job.log("sent to %s", to)`: Node's util.format rules, one line in the job's log."""
        self._service.log(self._require_id(), format_log(*args))
        return self

    def progress(self, completed: float, total: float, data: JSONValue = None) -> Job:
        self._record = self._service.progress(
            self._require_id(), self._lease, completed, total, data
        )
        return self

    # -- moving by hand ------------------------------------------------------------------
    def remove(self) -> Job:
        self._service.remove(self._require_id())
        return self

    def inactive(self) -> Job:
        """Kue's restart: back to the queue (attempts are kept, as in Kue)."""
        return self._move(State.INACTIVE)

    def active(self) -> Job:
        """Kue's `Job#active`: refused (`IllegalTransition`) unless the job is active already
        (a re-save): only a worker's claim makes a job active, with a lease; one put there
        by hand would hold none and be run by nobody."""
        return self._move(State.ACTIVE)

    def complete(self) -> Job:
        return self._move(State.COMPLETE)

    def failed(self) -> Job:
        return self._move(State.FAILED)

    def delayed(self) -> Job:
        return self._move(State.DELAYED)

    def _move(self, state: State) -> Job:
        self._record = self._service.move(self._require_id(), state)
        return self

    def _require_id(self) -> int:
        if self._record is None:
            raise InvalidJobOption("the job has not been saved yet")
        return self._record.id
