"""The queue: create jobs, process them, listen to events, inspect and maintain storage.

`Queue` is this module's wiring, producing and shutting down, and its mixins: reading jobs
(`queries`), operator actions (`operations`), its own events (`queue_events`), and its
workers with the maintenance pass (`queue_workers`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from kueport.async_runner import AsyncRunner
from kueport.backend import Backend
from kueport.bulk import save_all
from kueport.domain.backoff import BackoffFunction
from kueport.domain.durations import Duration
from kueport.domain.errors import QueueClosed, ShutdownInProgress
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.retention import DEFAULT_MAX_LOG_LINES, Retention, check_max_log_lines
from kueport.domain.stall import DEFAULT_MAX_STALLED
from kueport.emitter import Emitter
from kueport.event_router import EventRouter
from kueport.job import Job
from kueport.maintenance import MaintenanceLoop, RetentionPass
from kueport.operations import QueueOperations
from kueport.ports.clock import Clock
from kueport.queries import JobQueries
from kueport.queue_events import QueueEvents
from kueport.queue_workers import QueueWorkers
from kueport.service import JobService
from kueport.testmode import TestMode
from kueport.worker import Worker

#: How long closing the queue waits for events published before it to reach its listeners
#: (through Redis they come back over pub/sub, a moment after the move that published them).
EVENT_DRAIN_TIMEOUT = 2.0


class Queue(JobQueries, QueueOperations, QueueEvents, QueueWorkers):
    def __init__(
        self,
        backend: Backend,
        *,
        prefix: str = "q",
        job_events: bool = True,
        search_enabled: bool = False,
        maintenance_interval: float = 1.0,
        lease: float = 30.0,
        claim_timeout: float = 1.0,
        max_stalled: int = DEFAULT_MAX_STALLED,
        retention: Retention | Mapping[str, Any] | None = None,
        max_log_lines: int = DEFAULT_MAX_LOG_LINES,
    ) -> None:
        self.prefix = prefix
        self.search_enabled = search_enabled
        self.retention = Retention.parse(retention)
        self.max_log_lines = check_max_log_lines(max_log_lines)
        self._retention_pass = RetentionPass(self.retention)
        self._backend = backend
        self._service = self._build_service(backend)
        self._emitter = Emitter(on_listener_error=self.listener_failed)
        self._router = EventRouter(self._emitter, job_events)
        self._router.attach(backend.bus)
        self._workers: list[Worker] = []
        self._lease_ms = round(lease * 1000)
        self._claim_timeout = claim_timeout
        self._max_stalled = max_stalled
        self._maintenance = MaintenanceLoop(
            self.run_maintenance, maintenance_interval, self.report_error
        )
        self._async: AsyncRunner | None = None
        self._lock = threading.RLock()
        self._beat_lock = threading.Lock()
        self._shutting_down = False
        self._closed = False
        self._watch_stuck_every: float | None = None
        self._last_reconcile = 0.0
        self.testmode = TestMode(self)
        on_advance = getattr(backend.clock, "on_advance", None)
        if callable(on_advance):
            on_advance(self._maintenance.wake)

    # -- wiring --------------------------------------------------------------------------
    def _build_service(self, backend: Backend) -> JobService:
        backoffs = self._service.backoffs if hasattr(self, "_service") else None
        service = JobService(
            storage=backend.storage,
            bus=backend.bus,
            search=backend.search,
            clock=backend.clock,
            search_enabled=self.search_enabled,
            max_log_lines=self.max_log_lines,
        )
        if backoffs is not None:
            service.backoffs = backoffs
        return service

    @property
    def service(self) -> JobService:
        return self._service

    def job_from(self, record: JobRecord) -> Job:
        return Job(self, record.type, record.data, record=record)

    @property
    def clock(self) -> Clock:
        return self._backend.clock

    @property
    def backend(self) -> Backend:
        return self._backend

    def swap_backend(self, backend: Backend) -> Backend:
        """Run on other adapters from now on; returns the previous backend (for test mode)."""
        with self._lock:
            previous = self._backend
            self._backend = backend
            self._service = self._build_service(backend)
            self._router.attach(backend.bus)
            return previous

    # -- producing -----------------------------------------------------------------------
    def create(
        self,
        job_type: str,
        data: JSONValue = None,
        *,
        priority: int | str | None = None,
        attempts: int | None = None,
        backoff: object = None,
        delay: Duration | datetime | None = None,
        ttl: Duration | None = None,
        remove_on_complete: bool | None = None,
        remove_on_fail: bool | None = None,
        search_keys: Iterable[str] | None = None,
        events: bool | None = None,
    ) -> Job:
        """A new, unsaved job; options may be given here or with the fluent setters."""
        job = Job(self, job_type, data)
        options = (
            ("priority", priority),
            ("attempts", attempts),
            ("backoff", backoff),
            ("delay", delay),
            ("ttl", ttl),
            ("remove_on_complete", remove_on_complete),
            ("remove_on_fail", remove_on_fail),
            ("search_keys", search_keys),
            ("events", events),
        )
        for setter, value in options:  # each keyword is the fluent setter's name, in order
            if value is not None:
                getattr(job, setter)(value)
        return job

    create_job = create

    def save_new(self, job: Job, spec: JobSpec) -> JobRecord:
        if self._closed:
            raise QueueClosed("the queue was shut down")

        def track(record: JobRecord) -> None:
            job._record = record
            self.track(job)

        # A job nobody listens to needs no tracking: storage then announces `enqueue` itself.
        listened = self._router.will_track(job)
        record = self._service.enqueue(spec, before_publish=track if listened else None)
        if self.testmode.active:  # record() checks again under its lock
            self.testmode.record(job)
        return record

    def save_all(self, jobs: Iterable[Job], *, batch_size: int = 500) -> list[Job]:
        """Save many new jobs in pipelined batches (few round trips); returns them with ids.

        Ids follow the order given. Each job is stored atomically, a batch is not, and on
        Redis the next batch is sent while the last one is confirmed. Should saving fail
        partway (e.g. the connection drops), every job that got an id is stored; of those
        without one, the batch that was on its way may be stored too.
        """
        return save_all(self, list(jobs), batch_size)

    def save_batches(self, jobs: list[Job], specs: list[JobSpec], batch_size: int) -> None:
        """Store the checked `jobs` (their `specs`) `batch_size` at a time; see `save_all`."""
        if self._closed:
            raise QueueClosed("the queue was shut down")
        # Jobs nobody listens to need no tracking: storage then announces `enqueue` itself.
        listened = [self._router.will_track(job) for job in jobs]
        pending = iter(zip(jobs, listened, strict=True))
        testmode = self.testmode

        def stored(record: JobRecord) -> None:
            job, tracked = next(pending)
            job._stored_new(record)
            if tracked:
                self.track(job)
            if testmode.active:  # record() checks again under its lock
                testmode.record(job)

        batches = (
            (specs[start : start + batch_size], listened[start : start + batch_size])
            for start in range(0, len(jobs), batch_size)
        )
        self._service.enqueue_batches(batches, before_publish=stored)

    def track(self, job: Job) -> None:
        self._router.track(job)

    def register_backoff(self, name: str, fn: BackoffFunction) -> None:
        """Make `job.backoff(name)` usable: `fn(attempts, delay_seconds) -> seconds`."""
        self._service.backoffs.register(name, fn)

    def bind_job(self, record: JobRecord, lease: str, service: JobService) -> Job:
        """The job a worker hands its handler (see `QueueWorkers`)."""
        return Job.bound(self, record, lease, service)

    # -- shutting down -------------------------------------------------------------------
    def shutdown(self, timeout: float = 5.0, job_type: str | None = None) -> None:
        """Stop taking jobs, wait up to `timeout` for running ones, fail the rest ("Shutdown").

        With `job_type`, only that type's workers stop. A second shutdown while one runs
        raises `ShutdownInProgress`.
        """
        with self._lock:
            if self._shutting_down:
                raise ShutdownInProgress()
            if self._closed:
                return
            self._shutting_down = True
        try:
            self._stop_workers(self._select(job_type), timeout)
            if job_type is None:
                self._close()
        finally:
            with self._lock:
                self._shutting_down = False

    def _stop_workers(self, workers: list[Worker], timeout: float) -> None:
        threads = [threading.Thread(target=w.shutdown, args=(timeout,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with self._beat_lock:
            with self._lock:
                self._workers = [w for w in self._workers if w not in workers]
            for worker in workers:
                try:
                    self._service.forget_worker(worker.worker_id)
                except Exception as exc:  # a lost heartbeat entry expires by itself
                    self.report_error(exc)

    def _close(self) -> None:
        self.testmode.exit()  # puts the real backend back (closing the test one) to close it
        self._maintenance.stop()
        try:
            self._router.drain(EVENT_DRAIN_TIMEOUT)
        except Exception as exc:  # Redis is gone: the events in flight are lost with it
            self.report_error(exc)
        self._router.detach()
        if self._async is not None:
            self._async.close()
        self._closed = True
        self._backend.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<Queue prefix={self.prefix!r} workers={len(self.workers)}>"
