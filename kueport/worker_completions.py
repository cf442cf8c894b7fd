"""How a worker stores its jobs' successes: in batches, claiming the next jobs in the same call.

A mixin of `Worker` (see its module docstring for the whole flow). A sync worker with one
slot writes each completion itself (`JobService.complete_one`, no batch bookkeeping) and
gets its next job back; with more slots, or async
handlers, completions go through the worker's `Combiner`, which writes whatever finished
together in one storage call (`JobService.complete_many`: one pipeline on Redis). An outcome
the storage could not take for a moment (Redis restarting) is stored again while the worker
still holds its job (`outcome_retry.py`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.job import JobRecord, JSONValue
from kueport.failures import Failure
from kueport.outcome_retry import write_again
from kueport.ports.storage import Claim, Settled
from kueport.running import RunningJob
from kueport.service import JobService
from kueport.slots import Slots
from kueport.worker_starts import JobStarts

if TYPE_CHECKING:
    from kueport.worker import Next, WorkerHost

log = logging.getLogger("kueport.worker")
_KEPT, _REMOVED = Settled.KEPT, Settled.REMOVED
T = TypeVar("T")
#: A handler's success waiting to be stored: its running job and its result.
Success = tuple[RunningJob, JSONValue]


class CompletionWrites(JobStarts):
    """Mixed into `Worker`."""

    concurrency: int
    _host: WorkerHost
    _slots: Slots
    _is_async: bool
    _next: threading.local
    #: Set once shutdown stopped waiting for running jobs: outcomes are not tried again.
    _writes_given_up: threading.Event

    def _claim(self, limit: int) -> Claim:
        raise NotImplementedError

    def _second_write(self, pending: int) -> bool:
        """Whether completions may go out while a batch is on its way: on a backend whose
        writes wait on a round trip, once half the slots are waiting on it (measured: one
        batch in flight left Redis and the worker taking turns; allowing a second for any
        pending completion made batches too small to pay)."""
        return pending * 2 >= self.concurrency and self._host.service.storage.writes_wait

    def _combined_write(self, batch: list[Success]) -> None:
        """The combiner's write: the job this thread claimed for itself, if any, waits in
        `_next` for `_settle` (a combining thread may write several batches)."""
        next_run = self._complete_batch(batch, keep_one="run" not in self._next.__dict__)
        if next_run is not None:
            self._next.run = next_run

    def _complete_batch(self, batch: list[Success], keep_one: bool) -> Next:
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
            try:
                outcome, claimed = running.service.complete_one(
                    running.record, running.lease, result, self._claim(1) if refill else None
                )
            except Exception as exc:
                self._complete_again([(running, result)], exc)
            else:
                if outcome is not _KEPT and outcome is not _REMOVED:
                    self._unstored([(running, result)], [outcome])
        finally:
            next_run = self._start_claimed(claimed, service, 0, refill, (running,))
        return next_run

    def _refills(self, running: RunningJob, service: JobService) -> bool:
        """Whether storing `running`'s success (and its batch's) claims the next jobs too:
        not when test mode swapped the backend under it, nor while paused or stopping.
        Pause and stop are read unlocked: one racing the store finds the jobs it claimed
        handed back (`Slots.fill`)."""
        return running.service is service and self._slots.accepting() and self._host.may_claim()

    def _complete_together(self, items: list[Success], refill: int) -> list[JobRecord]:
        service = items[0][0].service
        then_claim = self._claim(refill) if refill else None
        try:
            done = service.complete_many([(r.record, r.lease, res) for r, res in items], then_claim)
        except Exception as exc:
            self._complete_again(items, exc)
            return []
        settled = done.settled
        if len(settled) != len(items):  # what `zip(strict=True)` checked
            raise ValueError(f"{len(settled)} outcomes for {len(items)} completions")
        for outcome in settled:
            if outcome is not _KEPT and outcome is not _REMOVED:
                self._unstored(items, settled)  # the unusual case: every outcome looked at
                break
        return done.claimed

    def _unstored(self, items: Sequence[Success], outcomes: Sequence[Settled | Exception]) -> None:
        """Completions storage did not take: taken away meanwhile (logged), a moment
        without storage (stored again), or another error (reported)."""
        transient = items[0][0].service.storage.transient_errors
        again: list[Success] = []
        for item, outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, LeaseLost | JobNotFound):
                log.info("job %s was taken away before its outcome was stored", item[0].record.id)
            elif isinstance(outcome, transient):
                again.append(item)
            elif isinstance(outcome, Exception):
                self._host.report_error(outcome)
        first = next((o for o in outcomes if isinstance(o, transient)), None)
        if first is not None:
            self._complete_again(again, first)

    def _complete_again(self, items: list[Success], error: Exception) -> None:
        """Store successes again after `error`, while the worker holds their jobs (see
        `_store_again`); each try sends only those the last one could not store."""
        service = items[0][0].service
        transient = service.storage.transient_errors
        pending = items

        def write() -> None:
            nonlocal pending
            done = service.complete_many([(r.record, r.lease, res) for r, res in pending])
            left: list[Success] = []
            for item, outcome in zip(pending, done.settled, strict=True):
                if isinstance(outcome, transient):
                    left.append(item)
                elif outcome is not _KEPT and outcome is not _REMOVED:
                    self._unstored([item], [outcome])
            if left:
                pending = left
                raise next(o for o in done.settled if isinstance(o, transient))

        self._store_again([running for running, _ in items], write, error)

    def _write_outcome(
        self, running: RunningJob, failure: Failure | None, result: JSONValue, again: bool = True
    ) -> None:
        """Store one outcome; `again`: try once more after a transient error (not for the
        jobs shutdown fails, which must not hold it up)."""
        service, record, lease = running.service, running.record, running.lease

        def write() -> object:
            if failure is None:
                return service.complete(record, lease, result)
            return service.fail(record, lease, failure, self._host.report_error)

        try:
            write()
        except (LeaseLost, JobNotFound):
            log.info("job %s was taken away before its outcome was stored", record.id)
        except Exception as exc:
            if again:
                self._store_again((running,), write, exc)
            else:
                self._host.report_error(exc)

    def _store_again(
        self, jobs: Sequence[RunningJob], write: Callable[[], T], error: Exception
    ) -> T | None:
        """`write` failed with `error`: the error is reported, and when the storage says it
        may pass (Redis out of reach for a moment), the write is tried again while the
        worker holds the jobs (`outcome_retry.py`). What it finally returned, else None."""
        self._host.report_error(error)
        storage = jobs[0].service.storage

        def held() -> bool:
            return any(job.service.now() < job.lease_until for job in jobs)

        try:
            stored = write_again(
                write,
                error,
                transient=storage.transient_errors,
                held=held,
                given_up=self._writes_given_up,
            )
        except (LeaseLost, JobNotFound):
            log.info("jobs %s were taken away before their outcome was stored", _ids(jobs))
        except Exception as exc:
            if exc is not error:
                self._host.report_error(exc)
        else:
            if isinstance(error, storage.transient_errors):
                log.info("stored the outcome of jobs %s once storage answered again", _ids(jobs))
            return stored
        return None


def _by_service(
    batch: list[Success],
) -> list[list[Success]]:
    """The batch split by backend: test mode may swap it under running jobs (rarely)."""
    first = batch[0][0].service
    for running, _ in batch:
        if running.service is not first:
            break
    else:
        return [batch]
    groups: dict[int, list[Success]] = {}
    for item in batch:
        groups.setdefault(id(item[0].service), []).append(item)
    return list(groups.values())


def _ids(jobs: Sequence[RunningJob]) -> str:
    return ", ".join(str(job.record.id) for job in jobs)
