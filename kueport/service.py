"""Use cases over the ports: each asks the domain what to do, then storage does it atomically.

Events are published here, after storage has moved the job, so a listener never hears about
a move that did not happen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence

import attrs

from kueport.backoff_registry import BackoffRegistry
from kueport.domain.errors import JobNotFound, UnreadableJob
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.json_values import storable_text
from kueport.domain.progress import progress_percent
from kueport.domain.retention import DEFAULT_MAX_LOG_LINES
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.failures import Failure, failure_events, plan_or_fallback
from kueport.ports.clock import Clock
from kueport.ports.pubsub import EventBus
from kueport.ports.search import SearchIndex
from kueport.ports.storage import (
    Changes,
    Claim,
    Completed,
    EnqueueBatch,
    JobStorage,
    Order,
    Settled,
    make_completion,
)
from kueport.search_text import searchable_texts
from kueport.service_sweeps import SWEEP_LIMIT, ServiceSweeps

log = logging.getLogger("kueport.service")

#: Looked up once, not per completed job.
_REMOVED = Settled.REMOVED


@attrs.define
class JobService(ServiceSweeps):
    storage: JobStorage
    bus: EventBus
    search: SearchIndex
    clock: Clock
    backoffs: BackoffRegistry = attrs.field(factory=BackoffRegistry)
    search_enabled: bool = False
    #: Each job's log keeps its newest lines only (0 = no cap; Kue never trimmed).
    max_log_lines: int = DEFAULT_MAX_LOG_LINES

    def now(self) -> int:
        return self.clock.now_ms()

    def _publish(self, job_id: int, name: EventName, *args: object) -> None:
        self.bus.publish(JobEvent(job_id, name, tuple(args)))

    # -- producers -----------------------------------------------------------------------
    def enqueue(
        self, spec: JobSpec, before_publish: Callable[[JobRecord], None] | None = None
    ) -> JobRecord:
        """Store a new job; `before_publish` runs first so job-level listeners hear `enqueue`.

        Without `before_publish` (and without search, which indexes before announcing) the
        storage announces `enqueue` itself, in the same round trip as the move.
        """
        if before_publish is None and not self.search_enabled:
            return self.storage.enqueue(spec, self.now(), announce=True)
        record = self.storage.enqueue(spec, self.now())
        self.index(record)
        if before_publish is not None:
            before_publish(record)
        if record.state is State.INACTIVE:
            self._publish(record.id, EventName.ENQUEUE, record.type)
        return record

    def enqueue_batches(
        self,
        batches: Iterable[tuple[Sequence[JobSpec], Sequence[bool] | None]],
        before_publish: Callable[[JobRecord], None] | None = None,
    ) -> None:
        """Store new jobs in few round trips, batch after batch (the storage may send a batch
        while the one before it is being confirmed); `before_publish` hears each stored job,
        in order.

        `listened[i]` says whether job i has listeners (None: every job has). As in
        `enqueue`, storage announces the `enqueue` of a job nobody listens to in the same
        script as the move; the others are published here, after `before_publish` heard
        them (so, within a batch, a listened job's event may follow later jobs' events).
        """

        def prepared() -> Iterator[EnqueueBatch]:
            for specs, listened in batches:
                if listened is None or self.search_enabled:  # search indexes, then announces
                    announce = [False] * len(specs)
                else:
                    announce = [not wanted for wanted in listened]
                yield EnqueueBatch(specs, self.now(), announce)

        def stored(batch: EnqueueBatch, records: list[JobRecord]) -> None:
            events = []
            for record, announced in zip(records, batch.announce, strict=True):
                self.index(record)
                if before_publish is not None:
                    before_publish(record)
                if not announced and record.state is State.INACTIVE:
                    events.append(JobEvent(record.id, EventName.ENQUEUE, (record.type,)))
            if events:
                self.bus.publish_many(events)

        self.storage.enqueue_batches(prepared(), stored)

    def update(self, job_id: int, changes: Changes) -> JobRecord:
        record = self.storage.update(job_id, changes, self.now())
        self.index(record)
        return record

    def index(self, record: JobRecord) -> None:
        """Make the job findable by its data (nothing without search)."""
        if self.search_enabled:
            self.search.index(record.id, record.type, searchable_texts(record))

    # -- workers -------------------------------------------------------------------------
    def claim(self, claim: Claim, timeout: float) -> list[JobRecord]:
        """Claim jobs; storage announces each `start` atomically with the claim."""
        if not claim.announce:  # a worker's claims ask for it already: no copy per claim
            claim = attrs.evolve(claim, announce=True)
        return self.storage.claim(claim, timeout)

    def complete(self, record: JobRecord, lease: str | None, result: JSONValue) -> JobRecord | None:
        """Finish a job; storage announces `complete` with the move (`remove` follows)."""
        now = self.now()
        plan = plan_success(record, now)
        stored = self.storage.complete(record.id, lease, result, plan, now, announce=True)
        if stored is None:
            self._removed(record)
        return stored

    def complete_many(
        self,
        done: Sequence[tuple[JobRecord, str | None, JSONValue]],
        then_claim: Claim | None = None,
    ) -> Completed:
        """`complete` for jobs that finished together, in one storage call: (record, lease,
        result) each; every job's outcome or error in its place; with `then_claim`, the
        jobs claimed after them in the same call (each `start` announced)."""
        now = self.clock.now_ms()
        completions = [
            make_completion((record.id, lease, result, plan_success(record, now)))
            for record, lease, result in done
        ]
        if then_claim is not None and not then_claim.announce:
            then_claim = attrs.evolve(then_claim, announce=True)
        outcomes = self.storage.complete_many(completions, now, then_claim)
        if _REMOVED in outcomes.settled:  # remove-on-complete: rare, so one scan, no loop
            for (record, _, _), outcome in zip(done, outcomes.settled, strict=True):
                if outcome is _REMOVED:
                    self._removed(record)
        return outcomes

    def complete_one(
        self,
        record: JobRecord,
        lease: str | None,
        result: JSONValue,
        then_claim: Claim | None = None,
    ) -> tuple[Settled | Exception, list[JobRecord]]:
        """`complete_many` for one job, as a one-slot worker sends it: its outcome (or
        error) and the jobs `then_claim` claimed behind it. Written out rather than calling
        `complete_many` with a list of one: that costs 3,300 instructions more per job on
        the memory adapter (4 %, `benchmarks/instructions.py`); the two must stay alike."""
        now = self.clock.now_ms()
        completion = make_completion((record.id, lease, result, plan_success(record, now)))
        if then_claim is not None and not then_claim.announce:
            then_claim = attrs.evolve(then_claim, announce=True)
        settled, claimed = self.storage.complete_many((completion,), now, then_claim)
        if len(settled) != 1:
            raise ValueError(f"{len(settled)} outcomes for one completion")
        outcome = settled[0]
        if outcome is _REMOVED:
            self._removed(record)
        return outcome, claimed

    def fail(
        self,
        record: JobRecord,
        lease: str | None,
        failure: Failure,
        report: Callable[[BaseException], None] | None = None,
    ) -> JobRecord | None:
        """Store a failed attempt and its retry. A retry policy that cannot give a delay here
        never strands the job (`plan_or_fallback`); its problem goes to `report` (a worker
        passes the queue's `error` listeners), or to the log without one."""
        now = self.now()
        plan, failure, problem = plan_or_fallback(record, now, self.backoffs.snapshot(), failure)
        if problem is not None and report is not None:
            report(problem)
        elif problem is not None:
            log.warning(
                "job %s retried after its own delay: %s", record.id, problem, exc_info=problem
            )
        events = failure_events(record, plan, failure)
        stored = self.storage.fail(
            record.id,
            lease,
            failure.detail,
            plan,
            now,
            announce=events,
            max_log_lines=self.max_log_lines,
        )
        if stored is None:
            self._removed(record)
        return stored

    def renew(self, record: JobRecord, lease: str, lease_ms: int) -> int | None:
        """Extend a held lease by `lease_ms` from now: the new deadline, or None if lost."""
        until = self.now() + lease_ms
        return until if self.storage.renew_lease(record.id, lease, until) else None

    def progress(
        self, job_id: int, lease: str | None, completed: float, total: float, data: JSONValue
    ) -> JobRecord:
        percent = progress_percent(completed, total)
        record = self.storage.set_progress(job_id, lease, percent, data, self.now())
        self._publish(job_id, EventName.PROGRESS, percent, data)
        return record

    def log(self, job_id: int, line: str) -> None:
        # A lone surrogate (an undecodable file name) is written escaped: UTF-8 cannot hold it.
        self.storage.append_log(job_id, storable_text(line), self.now(), self.max_log_lines)

    # -- people --------------------------------------------------------------------------
    def move(self, job_id: int, state: State) -> JobRecord:
        record = self.storage.move(job_id, state, self.now())
        if state is State.INACTIVE:
            self._publish(job_id, EventName.ENQUEUE, record.type)
        return record

    def remove(self, job_id: int) -> JobRecord | None:
        """The removed job, None if there was none; `UnreadableJob` (raised) if it was there
        but unreadable: deleted all the same, with its search entries."""
        try:
            record = self.storage.remove(job_id)
        except UnreadableJob:
            if self.search_enabled:
                self.search.remove(job_id)
            raise
        if record is not None:
            self._removed(record)
        return record

    def clean(
        self,
        state: State,
        older_than_ms: int | None,
        keep: int,
        limit: int = SWEEP_LIMIT,
        job_type: str | None = None,
    ) -> list[JobRecord]:
        """Retention: remove old `complete`/`failed` jobs (of one type when given), keeping
        the newest `keep`, in batches of `limit` until none is left; each announces `remove`."""
        removed: list[JobRecord] = []
        now = self.now()  # one cut-off for every batch
        while True:
            batch = self.storage.clean(
                state, older_than=older_than_ms, keep=keep, limit=limit, now=now, job_type=job_type
            )
            for record in batch:
                self._removed(record)
            removed += batch
            if not batch or len(batch) < limit:
                return removed

    def _removed(self, record: JobRecord) -> None:
        if self.search_enabled:
            self.search.remove(record.id)
        self._publish(record.id, EventName.REMOVE, record.type)

    # -- reading -------------------------------------------------------------------------
    def get(self, job_id: int) -> JobRecord:
        record = self.storage.get(job_id)
        if record is None:
            raise JobNotFound(job_id)
        return record

    def range(
        self, state: State | None, job_type: str | None, start: int, stop: int, order: Order
    ) -> list[JobRecord]:
        return self.storage.range(state, job_type, start, stop, order)
