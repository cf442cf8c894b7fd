"""A job a worker runs, and the handler's view of it (`Context`).

Split from worker.py, which keeps the claiming, dispatching and settling.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import attrs

from kueport.domain.job import JobRecord
from kueport.service import JobService

if TYPE_CHECKING:
    from kueport.async_runner import LoopTask
    from kueport.worker import Worker


#: Guards the lazily made wake-up events of every running job (rarely contended: only a
#: cancellation or a handler that waits for one takes it).
_wakeups = threading.Lock()


@attrs.define(eq=False)
class RunningJob:
    """A job this worker runs, with the backend it was claimed from (test mode may swap it).

    Made once per job on the hot path, so it holds plain flags; the `threading.Event` a
    handler may sleep on is only made when one calls `wait_cancelled`.
    """

    record: JobRecord
    lease: str
    service: JobService
    lease_until: int = 0
    task: LoopTask | None = None  # an async handler's run
    returned: bool = False  # the sync handler did (stuck handlers are those that did not)
    cancelled_at: float | None = None  # time.monotonic() when the job was taken away
    _cancelled: bool = False
    _wakeup: threading.Event | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Tell the handler to stop (it polls `cancelled` or sleeps in `wait_cancelled`)."""
        with _wakeups:
            self._cancelled = True
            wakeup = self._wakeup
        if wakeup is not None:
            wakeup.set()

    def wait_cancelled(self, timeout: float | None) -> bool:
        with _wakeups:
            if self._cancelled:
                return True
            if self._wakeup is None:
                self._wakeup = threading.Event()
            wakeup = self._wakeup
        return wakeup.wait(timeout)


class Context:
    """The handler's second argument: Kue's `ctx` plus a cancelled flag to poll."""

    def __init__(self, worker: Worker, running: RunningJob) -> None:
        self._worker = worker
        self._running = running

    @property
    def cancelled(self) -> bool:
        """True once the job was taken away (TTL, shutdown timeout, lease lost): stop work."""
        return self._running.cancelled

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Sleep up to `timeout` seconds, waking early when the job is cancelled."""
        return self._running.wait_cancelled(timeout)

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
