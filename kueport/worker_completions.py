"""How a worker stores its jobs' successes: in batches, claiming the next jobs in the same call.

A mixin of `Worker` (see its module docstring for the whole flow). A sync worker with one
slot writes each completion itself (`JobService.complete_one`, no batch bookkeeping) and
gets its next job back; with more slots, or async
handlers, completions go through the worker's `Combiner`, which writes whatever finished
together in one storage call (`JobService.complete_many`: one pipeline on Redis).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.job import JobRecord, JSONValue
from kueport.failures import Failure
from kueport.ports.storage import Claim, Settled
from kueport.running import RunningJob
from kueport.service import JobService
from kueport.slots import Slots
from kueport.worker_starts import JobStarts

if TYPE_CHECKING:
    from kueport.worker import Next, WorkerHost

log = logging.getLogger("kueport.worker")
_KEPT, _REMOVED = Settled.KEPT, Settled.REMOVED


class CompletionWrites(JobStarts):
    """Mixed into `Worker`."""

    concurrency: int
    _host: WorkerHost
    _slots: Slots
    _is_async: bool
    _next: threading.local

    def _claim(self, limit: int) -> Claim:
        raise NotImplementedError

    def _second_write(self, pending: int) -> bool:
        """Whether completions may go out while a batch is on its way: on a backend whose
        writes wait on a round trip, once half the slots are waiting on it (measured: one
        batch in flight left Redis and the worker taking turns; allowing a second for any
        pending completion made batches too small to pay)."""
        return pending * 2 >= self.concurrency and self._host.service.storage.writes_wait

    def _combined_write(self, batch: list[tuple[RunningJob, JSONValue]]) -> None:
        """The combiner's write: the job this thread claimed for itself, if any, waits in
        `_next` for `_settle` (a combining thread may write several batches)."""
        next_run = self._complete_batch(batch, keep_one="run" not in self._next.__dict__)
        if next_run is not None:
            self._next.run = next_run

    def _complete_batch(self, batch: list[tuple[RunningJob, JSONValue]], keep_one: bool) -> Next:
        """Store the successes that finished together (one pipeline per backend) and free
        their slots. The worker claims jobs for those slots in the same round trip: the
        batch's jobs keep their slots while it is stored (so nothing else claims into
        them) and hand them to the claimed jobs in one step; with `keep_one` (sync
        handlers), this thread gets the first of them back to run next, and the rest are
        started as usual (see the module docstring)."""
        service = self._host.service
        groups = [batch] if len(batch) == 1 else _by_service(batch)
        refill = len(batch) if len(groups) == 1 and self._refills(batch[0][0], service) else 0
        claimed: list[JobRecord] = []
        try:
            if len(groups) == 1:  # the usual case: the claimed list as it came
                claimed = self._complete_together(groups[0], refill)
            else:
                for items in groups:
                    claimed += self._complete_together(items, refill)
        finally:
            keep_one = keep_one and refill > 0 and not self._is_async  # async: all to the loop
            next_run = self._start_claimed(claimed, service, 0, keep_one, [r for r, _ in batch])
        return next_run

    def _complete_alone(self, running: RunningJob, result: JSONValue) -> Next:
        """`_complete_batch` for a one-slot sync worker's single success: the same store,
        claim and hand-over, without the batch's lists, grouping and outcome loop (about a
        tenth of a memory-backed job's CPU time)."""
        service = self._host.service
        refill = self._refills(running, service)
        claimed: list[JobRecord] = []
        try:
            outcome, claimed = running.service.complete_one(
                running.record, running.lease, result, self._claim(1) if refill else None
            )
            if outcome is not _KEPT and outcome is not _REMOVED:
                self._unstored(running, outcome)
        except Exception as exc:
            self._host.report_error(exc)
        finally:
            next_run = self._start_claimed(claimed, service, 0, refill, (running,))
        return next_run

    def _refills(self, running: RunningJob, service: JobService) -> bool:
        """Whether storing `running`'s success (and its batch's) claims the next jobs too:
        not when test mode swapped the backend under it, nor while paused or stopping.
        Pause and stop are read unlocked: one racing the store finds the jobs it claimed
        handed back (`Slots.fill`)."""
        return running.service is service and self._slots.accepting() and self._host.may_claim()

    def _complete_together(
        self, items: list[tuple[RunningJob, JSONValue]], refill: int
    ) -> list[JobRecord]:
        service = items[0][0].service
        then_claim = self._claim(refill) if refill else None
        try:
            done = service.complete_many([(r.record, r.lease, res) for r, res in items], then_claim)
        except Exception as exc:
            self._host.report_error(exc)
            return []
        settled = done.settled
        if len(settled) != len(items):  # what `zip(strict=True)` checked
            raise ValueError(f"{len(settled)} outcomes for {len(items)} completions")
        for index, outcome in enumerate(settled):
            if outcome is _KEPT or outcome is _REMOVED:
                continue  # stored (the usual case: two identity checks, no `isinstance`)
            self._unstored(items[index][0], outcome)
        return done.claimed

    def _unstored(self, running: RunningJob, outcome: Settled | Exception) -> None:
        """A completion storage refused: taken away meanwhile (logged), or an error."""
        if isinstance(outcome, LeaseLost | JobNotFound):
            log.info("job %s was taken away before its outcome was stored", running.record.id)
        elif isinstance(outcome, Exception):
            self._host.report_error(outcome)

    def _write_outcome(
        self, running: RunningJob, failure: Failure | None, result: JSONValue
    ) -> None:
        service = running.service
        try:
            if failure is None:
                service.complete(running.record, running.lease, result)
            else:
                service.fail(running.record, running.lease, failure, self._host.report_error)
        except (LeaseLost, JobNotFound):
            log.info("job %s was taken away before its outcome was stored", running.record.id)
        except Exception as exc:
            self._host.report_error(exc)


def _by_service(
    batch: list[tuple[RunningJob, JSONValue]],
) -> list[list[tuple[RunningJob, JSONValue]]]:
    """The batch split by backend: test mode may swap it under running jobs (rarely)."""
    first = batch[0][0].service
    for running, _ in batch:
        if running.service is not first:
            break
    else:
        return [batch]
    groups: dict[int, list[tuple[RunningJob, JSONValue]]] = {}
    for item in batch:
        groups.setdefault(id(item[0].service), []).append(item)
    return list(groups.values())
