"""Operator actions across many jobs, and the numbers a dashboard shows.

Mixed into `Queue` (kept apart so the queue module stays about producing and processing).
Bulk moves run in batches of `SWEEP_LIMIT`, each job moved atomically by storage with its
events published in the same move; a bulk action never moves more jobs than the state held
when it started, so jobs that fail again meanwhile are not retried twice by one call.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from kueport.arguments import check_type, optional_type
from kueport.domain.errors import PromotionLocked
from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.domain.throughput import MinuteCount, window
from kueport.search_repair import SearchRepair, reindex
from kueport.service import JobService
from kueport.service_sweeps import SWEEP_LIMIT

#: A storage bulk move: (job type or None, now, limit) -> the jobs moved.
BulkMove = Callable[[str | None, int, int], list[JobRecord]]


@attrs.frozen
class TypeCounts:
    """How many jobs of one type are in each state, and whether its workers are paused."""

    type: str
    inactive: int
    active: int
    complete: int
    failed: int
    delayed: int
    paused: bool


class QueueOperations:
    """Everything here goes through the queue's current service and storage."""

    @property
    def service(self) -> JobService:
        raise NotImplementedError

    def retry_failed(self, job_type: str | None = None) -> int:
        """Move every failed job (of one type) back to inactive with its attempts reset, so
        it gets all its attempts again; each announces `enqueue`. Returns how many moved."""
        storage = self.service.storage
        return self._in_batches(storage.retry_failed, State.FAILED, optional_type(job_type))

    def promote_delayed(self, job_type: str | None = None) -> int:
        """Promote every delayed job (of one type) now, whatever its `promote_at`; each
        announces `promotion` and `enqueue`. Returns how many moved.

        On a Redis shared with Node Kue, each batch waits (a few seconds at most) while
        Kue's promoter holds its lock; `PromotionLocked` if it stays held."""
        storage = self.service.storage
        return self._in_batches(storage.promote_delayed, State.DELAYED, optional_type(job_type))

    def _in_batches(self, move: BulkMove, state: State, job_type: str | None) -> int:
        left = self.service.storage.count(state, job_type)
        moved = 0
        while moved < left:
            try:
                batch = move(job_type, self.service.now(), min(SWEEP_LIMIT, left - moved))
            except PromotionLocked as error:  # tell what earlier batches did
                raise PromotionLocked(error.waited_s, moved) from None
            if not batch:
                break
            moved += len(batch)
        return moved

    def reindex_search(self) -> SearchRepair:
        """Index every stored job for search and drop the entries of jobs that are gone:
        for jobs the index never saw (saved by Node Kue's producers, or while this queue had
        search off) and for entries of jobs Node Kue deleted. Safe while producers and
        workers run; raises `SearchDisabled` on a queue created without search."""
        return reindex(self.service)

    def pause_type(self, job_type: str) -> None:
        """Stop every worker of this queue's storage, in every process, from claiming
        `job_type` until `resume_type`; running jobs finish as usual."""
        self.service.storage.pause_type(check_type(job_type))

    def resume_type(self, job_type: str) -> None:
        self.service.storage.resume_type(check_type(job_type))

    def paused_types(self) -> set[str]:
        return self.service.storage.paused_types()

    def throughput(self, minutes: int = 60) -> list[MinuteCount]:
        """Attempts completed and failed in each of the last `minutes` minutes (1..1440),
        oldest first, the current minute last; zeros included."""
        return self.service.storage.throughput(window(self.service.now(), minutes))

    def type_counts(self) -> list[TypeCounts]:
        """Per job type ever stored: the count in each state and whether it is paused."""
        storage = self.service.storage
        paused = storage.paused_types()
        found = []
        for job_type in sorted(set(storage.types()) | paused):
            counts = {state.value: storage.count(state, job_type) for state in State}
            found.append(TypeCounts(type=job_type, paused=job_type in paused, **counts))
        return found
