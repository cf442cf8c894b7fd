"""The service's sweeps: promoting due jobs, failing expired TTLs, taking back stalled jobs,
and the workers' heartbeats they rely on.

A mixin of `JobService`: maintenance runs these on a timer (`kueport/maintenance.py`), each
pass at most `SWEEP_LIMIT` jobs, and each job moved by one storage call that checks the job
is still as it was read (a job finished or renewed meanwhile is skipped, never moved twice).
"""

from __future__ import annotations

from collections.abc import Callable

from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.events import EventName
from kueport.domain.job import JobRecord
from kueport.domain.stall import DEFAULT_MAX_STALLED, STALLED, StallPlan, plan_stall
from kueport.domain.ttl import TTL_EXCEEDED
from kueport.domain.workers import WORKER_TTL_MS, WorkerInfo
from kueport.failures import Failure, stall_note
from kueport.ports.storage import JobStorage

#: How many due delayed jobs (or expired active jobs) one maintenance pass handles (Kue: 1000).
SWEEP_LIMIT = 1000


class ServiceSweeps:
    """Mixed into `JobService`."""

    storage: JobStorage
    max_log_lines: int

    def now(self) -> int:
        raise NotImplementedError

    def fail(self, record: JobRecord, lease: str | None, failure: Failure) -> JobRecord | None:
        raise NotImplementedError

    def _publish(self, job_id: int, name: EventName, *args: object) -> None:
        raise NotImplementedError

    def _removed(self, record: JobRecord) -> None:
        raise NotImplementedError

    # -- maintenance ---------------------------------------------------------------------
    def promote_due(self, limit: int = SWEEP_LIMIT) -> list[JobRecord]:
        # Storage announces `promotion` and `enqueue` itself, before a worker can claim the job.
        return self.storage.promote_due(self.now(), limit)

    def fail_expired_ttl(
        self, on_failed: Callable[[JobRecord], None], limit: int = SWEEP_LIMIT
    ) -> list[JobRecord]:
        """Fail every active job past its TTL; `on_failed` hears each so its handler can stop."""
        failed = []
        for record in self.storage.ttl_expired(self.now(), limit):
            try:
                self.fail(record, record.lease, Failure.plain(TTL_EXCEEDED))
            except (LeaseLost, JobNotFound):
                continue  # finished or moved since we read it: nothing to do
            on_failed(record)
            failed.append(record)
        return failed

    def recover_stalled(
        self,
        on_recovered: Callable[[JobRecord], None],
        max_stalled: int = DEFAULT_MAX_STALLED,
        limit: int = SWEEP_LIMIT,
    ) -> list[JobRecord]:
        """Take back active jobs whose lease ran out (their worker is gone); lock-free."""
        recovered = []
        for record in self.storage.lease_expired(self.now(), limit):
            if record.lease is None:
                continue
            plan = plan_stall(record, max_stalled)
            note = STALLED if plan.failure else stall_note(plan.stalled, max_stalled)
            try:
                stored = self.storage.recover_stalled(
                    record.id, record.lease, plan, note, self.now(), self.max_log_lines
                )
            except (LeaseLost, JobNotFound):
                continue  # renewed, finished or moved since we read it
            self._announce_recovery(record, plan, note, stored)
            on_recovered(record)
            recovered.append(record)
        return recovered

    def _announce_recovery(
        self, record: JobRecord, plan: StallPlan, note: str, stored: JobRecord | None
    ) -> None:
        if plan.failure is None:
            self._publish(record.id, EventName.ENQUEUE, record.type)
            return
        self._publish(record.id, EventName.ERROR, note)
        self._publish(record.id, EventName.FAILED, note)
        if stored is None:
            self._removed(record)

    # -- workers' heartbeats -----------------------------------------------------------
    def beat(self, info: WorkerInfo) -> None:
        self.storage.beat(info, info.last_seen + WORKER_TTL_MS)

    def forget_worker(self, worker_id: str) -> None:
        self.storage.forget_worker(worker_id)

    def live_workers(self) -> list[WorkerInfo]:
        return self.storage.live_workers(self.now())
