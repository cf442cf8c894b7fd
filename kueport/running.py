"""A job a worker runs, and the handler's view of it (`Context`).

Split from worker.py, which keeps the claiming, dispatching and settling.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import TYPE_CHECKING, Any

import attrs

from kueport.domain.job import JobRecord
from kueport.service import JobService

if TYPE_CHECKING:
    from kueport.worker import Worker


@attrs.define(eq=False)
class RunningJob:
    """A job this worker runs, with the backend it was claimed from (test mode may swap it)."""

    record: JobRecord
    lease: str
    service: JobService
    lease_until: int = 0
    cancelled: threading.Event = attrs.field(factory=threading.Event)
    settled: bool = False
    future: concurrent.futures.Future[Any] | None = None
    returned: threading.Event = attrs.field(factory=threading.Event)  # the sync handler did
    cancelled_at: float | None = None  # time.monotonic() when the job was taken away


class Context:
    """The handler's second argument: Kue's `ctx` plus a cancelled flag to poll."""

    def __init__(self, worker: Worker, running: RunningJob) -> None:
        self._worker = worker
        self._running = running

    @property
    def cancelled(self) -> bool:
        """True once the job was taken away (TTL, shutdown timeout, lease lost): stop work."""
        return self._running.cancelled.is_set()

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Sleep up to `timeout` seconds, waking early when the job is cancelled."""
        return self._running.cancelled.wait(timeout)

    @property
    def worker_id(self) -> str:
        return self._worker.worker_id

    def pause(self, timeout: float | None = None) -> None:
        """Stop taking new jobs of this type; with a timeout, jobs still running then fail."""
        self._worker.pause(timeout)

    def resume(self) -> None:
        self._worker.resume()

    def shutdown(self) -> None:
        """Stop this worker for good once running jobs finish (does not wait here)."""
        threading.Thread(target=self._worker.shutdown, daemon=True).start()
