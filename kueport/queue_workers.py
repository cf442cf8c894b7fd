"""A queue's workers and its maintenance pass: `process`, pause and resume, what a worker
asks of its queue (`WorkerHost`), and the periodic pass that renews leases, promotes due
jobs, enforces TTLs, recovers stalled jobs and applies retention.

A mixin of `Queue`, kept apart to keep it small.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import overload

from kueport import arguments
from kueport.async_runner import AsyncRunner
from kueport.domain.durations import Duration
from kueport.domain.errors import QueueClosed
from kueport.domain.job import JobRecord
from kueport.domain.workers import WorkerInfo
from kueport.job import Job
from kueport.maintenance import MaintenanceLoop, RetentionPass
from kueport.overrides import effective_concurrency, start_or_hold
from kueport.service import JobService
from kueport.testmode import TestMode
from kueport.worker import Handler, Worker


class QueueWorkers:
    """Mixed into `Queue`."""

    _service: JobService
    _workers: list[Worker]
    _lock: threading.RLock
    _beat_lock: threading.Lock
    _closed: bool
    _shutting_down: bool
    _lease_ms: int
    _claim_timeout: float
    _max_stalled: int
    _maintenance: MaintenanceLoop
    _retention_pass: RetentionPass
    _async: AsyncRunner | None
    _watch_stuck_every: float | None
    _last_reconcile: float
    testmode: TestMode

    @property
    def service(self) -> JobService:
        raise NotImplementedError

    def report_error(self, exc: BaseException) -> None:
        raise NotImplementedError

    def bind_job(self, record: JobRecord, lease: str, service: JobService) -> Job:
        raise NotImplementedError  # `Queue.bind_job`: the job needs the queue itself

    # -- processing ----------------------------------------------------------------------
    @overload
    def process(self, job_type: str, handler: Handler, *, concurrency: int = 1) -> Worker: ...

    @overload
    def process(
        self, job_type: str, handler: None = None, *, concurrency: int = 1
    ) -> Callable[[Handler], Handler]: ...

    def process(
        self, job_type: str, handler: Handler | None = None, *, concurrency: int = 1
    ) -> Worker | Callable[[Handler], Handler]:
        """Run `handler(job)` or `handler(job, ctx)` for jobs of `job_type`, `concurrency` at once.

        Without a handler this is a decorator: `@queue.process("email", concurrency=20)`.
        A bad type, a handler that is not callable or a concurrency that is not an int of at
        least 1 raises here (`InvalidJobOption`, `InvalidArgument`), not later in a thread.
        """
        arguments.check_type(job_type)
        arguments.concurrency(concurrency)
        if handler is None:

            def decorate(fn: Handler) -> Handler:
                self.process(job_type, fn, concurrency=concurrency)
                return fn

            return decorate
        handler = arguments.callable_of("handler", handler)
        if self._closed or self._shutting_down:
            raise QueueClosed("the queue was shut down")
        worker = Worker(
            self,
            job_type,
            handler,
            concurrency=effective_concurrency(concurrency),
            lease_ms=self._lease_ms,
            claim_timeout=self._claim_timeout,
        )
        with self._lock:
            self._workers.append(worker)
        start_or_hold(lambda: self._start_worker(worker))
        return worker

    def _start_worker(self, worker: Worker) -> None:
        worker.start()
        self._maintenance.start()

    def stuck_jobs(self, grace: float) -> list[int]:
        """Ids of jobs taken away (TTL, lost lease, shutdown) whose sync handler still runs
        `grace` seconds later, ignoring `ctx.cancelled`."""
        return sorted(r.record.id for w in self.workers for r in w.stuck(grace))

    def live_workers(self) -> list[WorkerInfo]:
        """Every worker alive in any process on this queue's storage, and what it runs."""
        return self._service.live_workers()

    @property
    def workers(self) -> list[Worker]:
        with self._lock:
            return list(self._workers)

    def async_runner(self) -> AsyncRunner:
        with self._lock:
            if self._async is None:
                self._async = AsyncRunner()
            return self._async

    def may_claim(self) -> bool:
        return not self._closed and self.testmode.processing

    def pause(self, job_type: str | None = None, timeout: float | None = None) -> None:
        for worker in self._select(job_type):
            worker.pause(timeout)

    def resume(self, job_type: str | None = None) -> None:
        for worker in self._select(job_type):
            worker.resume()

    def _select(self, job_type: str | None) -> list[Worker]:
        return [w for w in self.workers if job_type is None or w.job_type == job_type]

    # -- maintenance ---------------------------------------------------------------------
    def run_maintenance(self) -> None:
        """One pass: renew our leases, promote due jobs, fail TTL-exceeded ones, recover stalled,
        and (at most once per `retention.interval`) apply the queue's retention."""
        service = self._service
        for worker in self.workers:
            worker.renew_leases()  # first, so a live job is never mistaken for a stalled one
            with self._beat_lock:  # never re-announce a worker that stopped meanwhile
                if worker in self._workers:
                    service.beat(worker.info(service.now()))
        service.promote_due()
        service.fail_expired_ttl(on_failed=self._take_away)
        service.recover_stalled(on_recovered=self._take_away, max_stalled=self._max_stalled)
        every = self._watch_stuck_every
        if every is not None and time.monotonic() - self._last_reconcile >= every:
            self._last_reconcile = time.monotonic()
            service.storage.reconcile_tokens()
        self._retention_pass(service)

    def _take_away(self, record: JobRecord) -> None:
        """Stop the local run that held `record`'s lease (never a newer claim of the job)."""
        if record.lease is None:
            return
        for worker in self.workers:
            if worker.cancel(record.id, lease=record.lease):
                return

    def watch_stuck_jobs(self, interval: Duration = 1.0) -> None:
        """Reconcile wake-up tokens with inactive jobs every `interval` seconds (Kue's watchdog)."""
        seconds = interval.total_seconds() if not isinstance(interval, int | float) else interval
        self._watch_stuck_every = float(seconds)
        self._maintenance.start()
