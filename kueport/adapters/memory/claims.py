"""The memory storage's hot path: claiming jobs and storing their completions.

Most of a memory-backed worker's time per job is spent here, so these moves change the
`StoredJob` in place (`stored.py`) and touch the type's `Lane` of sets directly; the rarer
moves (`fail`, `move`, stall recovery) go through `records` and `Indexes` in `storage.py`.
A mixin of `MemoryStorage`, whose lock guards everything here too.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence

from kueport.adapters.memory.indexes import Indexes, Lane
from kueport.adapters.memory.operations import MinuteCounters
from kueport.adapters.memory.stored import StoredJob, readable
from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JSONValue
from kueport.domain.json_values import decode_stored, encode_result
from kueport.domain.ordering import active_score, type_score
from kueport.domain.retry import SuccessPlan
from kueport.domain.state import State
from kueport.domain.throughput import COMPLETE
from kueport.domain.ttl import ttl_expiry
from kueport.ports.clock import Clock
from kueport.ports.storage import Claim, Completed, Completion, Settled, make_completed

# Enum members read once: `State.ACTIVE` costs a class-attribute lookup each time (about
# 90 ns on CPython 3.11), and these run once or twice per job.
_ACTIVE = State.ACTIVE
_KEPT, _REMOVED = Settled.KEPT, Settled.REMOVED


class MemoryClaims:
    """Mixed into `MemoryStorage`."""

    _lock: threading.RLock
    _cond: threading.Condition
    _clock: Clock
    _jobs: dict[int, StoredJob]
    _indexes: Indexes
    _paused: set[str]
    _closed: bool
    _stopped_claimers: set[str]
    _lease_prefix: str
    _leases: itertools.count[int]
    _counters: MinuteCounters
    _work_time: int | None

    def _heard(self) -> bool:
        raise NotImplementedError

    def _announce_event(self, event: JobEvent) -> None:
        raise NotImplementedError

    def _delete(self, stored: StoredJob) -> None:
        raise NotImplementedError

    def claim(self, claim: Claim, timeout: float) -> list[JobRecord]:
        if claim.limit <= 0:
            return []
        stopped = self._stopped_claimers

        def ready() -> bool:
            return self._closed or claim.worker_id in stopped or self._open_to(claim) is not None

        with self._lock:
            lane = None if claim.worker_id in stopped else self._open_to(claim)
            if lane is None:  # with a backlog: no wait set up
                self._cond.wait_for(ready, max(0, timeout))
                if self._closed or claim.worker_id in stopped:
                    return []
                lane = self._open_to(claim)
                if lane is None:  # timed out
                    return []
            return self._claim(claim, lane, self._heard(), self._clock.now_ms())

    def stop_claims(self, worker_id: str) -> None:
        with self._lock:
            self._stopped_claimers.add(worker_id)
            self._cond.notify_all()

    def complete(
        self,
        job_id: int,
        lease: str | None,
        result: JSONValue,
        plan: SuccessPlan,
        now: int,
        announce: bool = False,
    ) -> JobRecord | None:
        with self._lock:
            stored = self._complete(job_id, lease, result, plan, now, announce and self._heard())
            self._count_completed(now, 1, plan.duration_ms)
            return None if stored is None else readable(stored.frozen())

    def complete_many(
        self, completions: Sequence[Completion], now: int, then_claim: Claim | None = None
    ) -> Completed:
        outcomes: list[Settled | Exception] = []
        complete = self._complete
        moved = work_ms = 0
        with self._lock:
            # Asked once: nothing is delivered meanwhile that could subscribe a listener.
            heard = self._heard()
            for done in completions:
                plan = done.plan
                try:
                    kept = complete(done.job_id, done.lease, done.result, plan, now, heard)
                except (JobNotFound, LeaseLost) as error:
                    outcomes.append(error)
                else:
                    outcomes.append(_REMOVED if kept is None else _KEPT)
                    moved += 1
                    work_ms += plan.duration_ms
            if moved:
                self._count_completed(now, moved, work_ms)
            claimed: list[JobRecord] = []
            if then_claim is not None and then_claim.limit > 0:
                lane = self._lane_open_to(then_claim)
                if lane is not None:  # maybe with nothing waiting: then the claim takes none
                    claimed = self._claim(then_claim, lane, heard, now)
        return make_completed((outcomes, claimed))

    # -- internals (callers hold the lock) -------------------------------------------------
    def _complete(
        self,
        job_id: int,
        lease: str | None,
        result: JSONValue,
        plan: SuccessPlan,
        now: int,
        announce: bool,
    ) -> StoredJob | None:
        """`complete` in place: no record is built unless someone reads the job. `announce`:
        someone listens, and the caller asked for the event. The caller counts it
        (`_count_completed`), once per batch. The result is stored as its JSON, as on Redis
        (one JSON cannot hold becomes Kue's "Invalid JSON Result": never an error)."""
        stored = self._jobs.get(job_id)
        if stored is None:
            raise JobNotFound(job_id)
        if stored.state is not _ACTIVE or (lease is not None and stored.lease != lease):
            raise LeaseLost(job_id)
        text = None if result is None else encode_result(result)
        stored.complete(text, plan, now)
        job_type = stored.type
        lane = self._indexes.lanes.get(job_type) or self._indexes.lane(job_type)
        lane.all_active.remove(job_id)
        lane.active.remove(job_id)
        lane.complete.add(job_id, type_score(stored.priority))
        if announce:
            # What Redis publishes: the stored result, read back (a listener's own copy).
            shown = None if text is None else decode_stored(text)
            self._announce_event(JobEvent(job_id, EventName.COMPLETE, (shown,)))
        if plan.remove:
            self._delete(stored)
            return None
        return stored

    def _count_completed(self, now: int, jobs: int, work_ms: int) -> None:
        self._counters.count(now, COMPLETE, jobs)
        self._work_time = (self._work_time or 0) + work_ms

    def _open_to(self, claim: Claim) -> Lane | None:
        """The claim's lane when it has waiting jobs and may take them."""
        lane = self._lane_open_to(claim)
        return lane if lane is not None and lane.waiting else None

    def _lane_open_to(self, claim: Claim) -> Lane | None:
        """The claim's lane when it may take jobs (with or without any waiting)."""
        job_type = claim.job_type
        if self._closed or job_type in self._paused:
            return None
        return self._indexes.lanes.get(job_type) or self._indexes.lane(job_type)

    def _claim(self, claim: Claim, lane: Lane, heard: bool, now: int) -> list[JobRecord]:
        """Claim the best waiting jobs of `lane` (none when none wait): `records.claimed` in
        place; the record built for each is the job's until it changes. `heard`: an
        announced `start` would reach someone (`_heard`). `now`: a claim behind completions
        happens at their instant (one clock read per call, not two)."""
        jobs, prefix, leases = self._jobs, self._lease_prefix, self._leases
        add_all_active, add_active = lane.all_active.add, lane.active.add
        worker_id, lease_until = claim.worker_id, now + claim.lease_ms
        claimed = []
        for job_id in lane.waiting.pop_first(claim.limit):
            stored = jobs[job_id]
            priority = stored.priority
            deadline = ttl_expiry(stored.ttl_ms, now)
            lease = f"{prefix}{next(leases)}"
            claimed.append(stored.claim(worker_id, lease, lease_until, now, deadline))
            add_all_active(job_id, active_score(priority, deadline))
            add_active(job_id, type_score(priority))
        if claim.announce and heard:
            for record in claimed:
                self._announce_event(JobEvent(record.id, EventName.START, (record.type,)))
        return claimed
