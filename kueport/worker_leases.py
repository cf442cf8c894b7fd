"""Taking a running job away from a worker: cancelling it, leases, stuck handlers.

A mixin of `Worker`. A job is taken away when its TTL runs out, its lease is lost or the
worker shuts down: its slot is freed at once and its handler told to stop (`ctx.cancelled`);
whatever the handler returns afterwards is ignored (storage refuses writes without the
lease). The heartbeat renews the leases of the jobs still running.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from kueport.running import RunningJob
from kueport.slots import Slots

if TYPE_CHECKING:
    from kueport.worker import WorkerHost


class TakingAway:
    """Mixed into `Worker`."""

    _host: WorkerHost
    _slots: Slots
    _is_async: bool
    _lease_ms: int

    def cancel(self, job_id: int, lease: str | None = None) -> bool:
        """The job was failed or moved elsewhere: tell the handler to stop and free the slot.

        With `lease`, only the run holding that lease is stopped: the job may already have been
        claimed again (by this very worker) after it was taken away.
        """
        running = self._slots.find(job_id)
        if running is None or (lease is not None and running.lease != lease):
            return False
        if not self._slots.take_back(running):
            return False
        self._stop_handler(running)
        self._slots.release(running)
        return True

    def _stop_handler(self, running: RunningJob) -> None:
        running.cancelled_at = time.monotonic()
        running.cancel()
        if running.task is not None:
            running.task.cancel()
        if not self._is_async and not running.returned:
            self._slots.abandon(running)

    def stuck(self, grace: float) -> list[RunningJob]:
        """Sync handlers still running `grace` seconds after their job was taken away.

        Python cannot stop a thread, so a handler that ignores `ctx.cancelled` keeps its
        thread (and whatever it holds) forever; `kueport worker` restarts such a process.
        """
        return self._slots.stuck(grace)

    def renew_leases(self) -> None:
        """Heartbeat: renew each lease once a third of it has passed (by the queue's clock);
        a job whose lease is gone was taken away, so its handler is cancelled."""
        for job in self._slots.running():
            if job.lease_until - job.service.now() > self._lease_ms * 2 // 3:
                continue
            try:
                until = job.service.renew(job.record, job.lease, self._lease_ms)
            except Exception as exc:
                self._host.report_error(exc)
                continue
            if until is None:
                self.cancel(job.record.id)
            else:
                job.lease_until = until
