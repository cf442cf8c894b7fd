"""Reading and hand-editing stored jobs: counts, id lists, ranges, lookups and removal.

Kept apart from `Queue` so the queue module stays about producing and processing.
"""

from __future__ import annotations

from kueport import arguments
from kueport.arguments import check_type, optional_type
from kueport.domain.durations import Duration
from kueport.domain.errors import JobNotFound, SearchDisabled, UnreadableJob
from kueport.domain.job import JobRecord
from kueport.domain.retention import check_keep, cleanable, older_than_ms
from kueport.domain.state import State
from kueport.job import Job
from kueport.ports.storage import Order
from kueport.service import JobService


class JobQueries:
    """Mixed into `Queue`; everything here goes through the current service."""

    search_enabled: bool

    @property
    def service(self) -> JobService:
        raise NotImplementedError

    def job_from(self, record: JobRecord) -> Job:
        raise NotImplementedError

    def get_job(self, job_id: int | str) -> Job:
        """The stored job `job_id` (an int, or its decimal string); `JobNotFound` if none is
        stored under it, `InvalidJobId` for what is no id at all (True, 1.5, None, "abc")."""
        number = arguments.job_id(job_id)
        if not arguments.can_exist(number):
            raise JobNotFound(number)
        return self.job_from(self.service.get(number))

    def remove(self, job_id: int | str) -> bool:
        """Remove the job (its log and index entries); False if no job is stored under the id.
        A job stored unreadably (a hash Node Kue left half-written) is removed too: True."""
        number = arguments.job_id(job_id)
        if not arguments.can_exist(number):
            return False
        try:
            return self.service.remove(number) is not None
        except UnreadableJob:
            return True

    def clean(
        self,
        state: State | str,
        *,
        older_than: Duration | None = None,
        keep: int = 0,
        job_type: str | None = None,
    ) -> int:
        """Retention: remove `complete` or `failed` jobs (with their logs and index entries),
        keeping the newest `keep` (latest `updated_at`) and removing the others once
        `older_than` (seconds or a timedelta; None = at once) has passed since they last
        changed. Each removed job announces `remove`. Returns how many were removed.

        With `job_type`, only that type's jobs are considered (and kept).

        Any other state raises `InvalidRetention`: pending and running work is never cleaned.
        """
        target = cleanable(state)
        age, kept = older_than_ms(older_than), check_keep(keep)
        kind = optional_type(job_type)
        return len(self.service.clean(target, age, kept, job_type=kind))

    def count(self, state: State | str | None = None, job_type: str | None = None) -> int:
        parsed = None if state is None else State.parse(state)
        return self.service.storage.count(parsed, optional_type(job_type))

    def ids(self, state: State | str, job_type: str | None = None) -> list[int]:
        return self.service.storage.ids(State.parse(state), optional_type(job_type))

    def inactive_count(self, job_type: str | None = None) -> int:
        return self.count(State.INACTIVE, job_type)

    def active_count(self, job_type: str | None = None) -> int:
        return self.count(State.ACTIVE, job_type)

    def complete_count(self, job_type: str | None = None) -> int:
        return self.count(State.COMPLETE, job_type)

    def failed_count(self, job_type: str | None = None) -> int:
        return self.count(State.FAILED, job_type)

    def delayed_count(self, job_type: str | None = None) -> int:
        return self.count(State.DELAYED, job_type)

    def inactive(self, job_type: str | None = None) -> list[int]:
        return self.ids(State.INACTIVE, job_type)

    def active(self, job_type: str | None = None) -> list[int]:
        return self.ids(State.ACTIVE, job_type)

    def complete(self, job_type: str | None = None) -> list[int]:
        return self.ids(State.COMPLETE, job_type)

    def failed(self, job_type: str | None = None) -> list[int]:
        return self.ids(State.FAILED, job_type)

    def delayed(self, job_type: str | None = None) -> list[int]:
        return self.ids(State.DELAYED, job_type)

    def range_by_state(
        self, state: State | str, start: int = 0, stop: int = -1, order: Order = "asc"
    ) -> list[Job]:
        """Kue's `Job.rangeByState`: ranks `start..stop` (ints, inclusive, negative from the
        end) by priority, returned sorted by id; `order` "asc" or "desc" (else `InvalidRange`)."""
        return self._range(State.parse(state), None, start, stop, order)

    def range_by_type(
        self,
        job_type: str,
        state: State | str,
        start: int = 0,
        stop: int = -1,
        order: Order = "asc",
    ) -> list[Job]:
        return self._range(State.parse(state), check_type(job_type), start, stop, order)

    def range(self, start: int = 0, stop: int = -1, order: Order = "asc") -> list[Job]:
        """Kue's `Job.range`: every job, by priority rank."""
        return self._range(None, None, start, stop, order)

    def _range(
        self, state: State | None, job_type: str | None, start: int, stop: int, order: Order
    ) -> list[Job]:
        first, last = arguments.range_bounds(start, stop)
        records = self.service.range(state, job_type, first, last, arguments.order(order))
        return [self.job_from(r) for r in records]

    def types(self) -> list[str]:
        return self.service.storage.types()

    def work_time(self) -> int | None:
        return self.service.storage.work_time()

    def search(
        self,
        text: str,
        type: str | None = None,
        state: State | str | None = None,
        limit: int = 50,
    ) -> list[int]:
        """Ids of the jobs whose indexed data has every word of `text` (the last one may be
        the start of a word), newest (highest id) first, at most `limit` (1..1000); `type`
        and `state` filter. Raises `SearchDisabled` unless the queue was created with
        `disable_search=False`, `InvalidSearch` for a text without words or a bad limit, and
        `InvalidState` for an unknown state."""
        if not self.search_enabled:
            raise SearchDisabled()
        parsed = None if state is None else State.parse(state)
        return self.service.search.query(text, job_type=type, state=parsed, limit=limit)
