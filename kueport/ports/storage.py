"""Where jobs live. Every method is one atomic move: no caller ever sees a job half-moved.

Times are epoch milliseconds passed in by the service (`now`), so adapters hold no policy and
tests drive time with a manual clock. The one exception is `claim`, which may block and so reads
the adapter's clock after it wakes (on the system clock, the Redis adapter reads the server's,
moved onto this machine's by an offset measured before it blocks). The values the methods
take and return are in `storage_values` (and importable from here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from kueport.domain.events import JobEvent
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.retry import FailurePlan, SuccessPlan
from kueport.domain.stall import StallPlan
from kueport.domain.state import State
from kueport.domain.workers import WorkerInfo
from kueport.ports.storage_reading import StorageReading
from kueport.ports.storage_values import (
    Changes,
    Claim,
    Completed,
    Completion,
    EnqueueBatch,
    Order,
    Settled,
    make_completed,
    make_completion,
)

__all__ = [
    "Changes",
    "Claim",
    "Completed",
    "Completion",
    "EnqueueBatch",
    "JobStorage",
    "Order",
    "Settled",
    "StorageReading",
    "make_completed",
    "make_completion",
]


class JobStorage(StorageReading, Protocol):
    #: Whether storing an outcome waits on I/O (a round trip to a server). A busy worker
    #: then lets a second batch of completions go out while the first is on its way.
    writes_wait: bool
    #: Errors after which the same write may succeed a moment later (a lost connection).
    transient_errors: tuple[type[Exception], ...]

    # -- producers -------------------------------------------------------------------------
    def enqueue(self, spec: JobSpec, now: int, announce: bool = False) -> JobRecord:
        """Store a new job with a fresh id, inactive or (with a delay) delayed.

        With `announce`, an inactive job's `enqueue` event is published atomically with the
        move (on Redis inside the same script: no second round trip).
        """
        ...

    def enqueue_many(
        self, specs: Sequence[JobSpec], now: int, announce: Sequence[bool] = ()
    ) -> list[JobRecord]:
        """Store several new jobs, in order, each exactly as `enqueue` does, in few round trips;
        `announce[i]` is job i's `announce` (default: none is announced).

        Each job is stored atomically, the batch is not: after an error partway the jobs
        before it may be stored (on Redis a dropped connection leaves the outcome unknown).
        """
        ...

    def enqueue_batches(
        self,
        batches: Iterable[EnqueueBatch],
        on_stored: Callable[[EnqueueBatch, list[JobRecord]], None],
    ) -> None:
        """`enqueue_many` of each batch in turn; `on_stored` hears each batch and its records,
        in order, once the batch is stored.

        For bulk saves: storage may take the next batch from the iterable (which it reads
        lazily) and send it before the previous batch is confirmed, so encoding and storing
        overlap. After an error, the batches `on_stored` heard are stored; an error raised
        by `on_stored` stops the rest.
        """
        ...

    def update(self, job_id: int, changes: Changes, now: int) -> JobRecord:
        """Apply a re-save: new priority, attempts, delay (recomputes promote_at), ttl, data.

        Raises `JobNotFound`.
        """
        ...

    # -- workers ---------------------------------------------------------------------------
    def claim(self, claim: Claim, timeout: float) -> list[JobRecord]:
        """Move up to `claim.limit` inactive jobs of the type to active, best first.

        Blocks up to `timeout` seconds while none is available (never busy-waits); returns the
        claimed jobs, each with a fresh `lease` token that fences later writes. Claims nothing
        while the type is paused (`pause_type`, by any process) nor for a stopped worker."""
        ...

    def stop_claims(self, worker_id: str) -> None:
        """A stopping worker's claim waiting now, and any it makes later, return at once."""
        ...

    def complete(
        self,
        job_id: int,
        lease: str | None,
        result: JSONValue,
        plan: SuccessPlan,
        now: int,
        announce: bool = False,
    ) -> JobRecord | None:
        """Finish an attempt successfully; removes the job when the plan says so.

        With `announce`, the `complete` event is published atomically with the move (before
        the job is removed, when it is).

        Raises `LeaseLost` when the job is not active under `lease`; `lease=None` is an
        unfenced write that only requires the job to be active (sweeps of jobs made active by
        hand, which no worker holds). Returns the stored record, or None when it was removed.
        """
        ...

    def complete_many(
        self, completions: Sequence[Completion], now: int, then_claim: Claim | None = None
    ) -> Completed:
        """`complete(..., announce=True)` for each, in few round trips (one pipeline on Redis):
        what a worker whose jobs finished together sends. Each job's outcome is in its place:
        `Settled.KEPT`, `Settled.REMOVED`, or the error `complete` would have raised
        (`LeaseLost`, `JobNotFound`); each job is completed atomically, the batch is not.

        With `then_claim`, the jobs a `claim(then_claim, 0)` would take are claimed after the
        completions, in the same round trip: the slots the batch frees are filled at once.
        An error of the claim alone is raised, after every completion was stored.
        """
        ...

    def fail(
        self,
        job_id: int,
        lease: str | None,
        error: str,
        plan: FailurePlan,
        now: int,
        announce: Sequence[JobEvent] = (),
        max_log_lines: int = 0,
    ) -> JobRecord | None:
        """Record a failed attempt and move to the plan's next state (retry or final failure).

        The error's first line is appended to the job's log, which then keeps only its newest
        `max_log_lines` lines (0 = no cap), in the same atomic move.

        `announce` is published on the queue's event channel atomically with the move, so a
        retry that starts at once can never be announced before the failure that caused it.

        Raises `LeaseLost` when the job is not active under `lease` (None: see `complete`).
        """
        ...

    def recover_stalled(
        self,
        job_id: int,
        lease: str,
        plan: StallPlan,
        note: str,
        now: int,
        max_log_lines: int = 0,
    ) -> JobRecord | None:
        """Take back a job whose lease ran out: re-queue it (stall count from the plan, no
        attempt counted, `note` logged) or fail it with `plan.failure` (`note` is the error).
        The log keeps its newest `max_log_lines` lines (0 = no cap).

        Raises `LeaseLost` when the job is no longer active under `lease`, or its lease was
        renewed past `now` (the worker is alive after all); `JobNotFound` when it is gone.
        Returns the stored record, or None when a failure removed it.
        """
        ...

    def renew_lease(self, job_id: int, lease: str, until: int) -> bool:
        """Extend a held lease; False when the job is no longer held under it."""
        ...

    def set_progress(
        self, job_id: int, lease: str | None, percent: int, data: JSONValue, now: int
    ) -> JobRecord:
        """Store progress; pushes an active job's TTL deadline to `now + ttl` as Kue does.

        `lease=None` is an unfenced write (from outside any worker). Raises `JobNotFound` or
        `LeaseLost`."""
        ...

    def append_log(self, job_id: int, line: str, now: int, max_lines: int = 0) -> None:
        """Add one line to the job's log, then keep only its newest `max_lines` lines
        (0 = no cap). Raises `JobNotFound`."""
        ...

    # -- maintenance -----------------------------------------------------------------------
    def promote_due(self, now: int, limit: int) -> list[JobRecord]:
        """Move delayed jobs whose `promote_at <= now` to inactive; idempotent, lock-free.

        Publishes Kue's `promotion` then `enqueue` for each job on the queue's event channel
        atomically with the move, so no worker can start the job before they are announced.
        """
        ...

    def ttl_expired(self, now: int, limit: int) -> list[JobRecord]:
        """Active jobs whose TTL deadline has passed (read only; the service fails them)."""
        ...

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        """Active jobs whose lease ran out without renewal (read only)."""
        ...

    def reconcile_tokens(self) -> int:
        """Repair wake-up tokens so each inactive job has exactly one; returns tokens fixed."""
        ...

    def clean(
        self,
        state: State,
        *,
        older_than: int | None,
        keep: int,
        limit: int,
        now: int,
        job_type: str | None = None,
    ) -> list[JobRecord]:
        """Retention: remove old finished jobs of `state` (of one type when `job_type` is
        given: then `keep` counts that type's jobs only); returns the removed records.

        Only `complete` and `failed` can be cleaned (`InvalidRetention` otherwise, so pending
        or running work is never wiped by accident). Among the jobs of `state`, the newest
        `keep` are kept, newest meaning the latest `updated_at`, then the larger id
        (`kueport.domain.retention.select_victims`, shared by every adapter). Of the others,
        those with `updated_at < now - older_than` (every one when `older_than` is None; ms)
        are removed, oldest first, at most `limit` per call: each removal deletes the hash, the
        log and every index entry exactly like `remove`, atomically per job. A job that
        changed between selection and removal (restarted, finished again) is left alone.
        Callers loop until fewer than `limit` come back. Each call reads the `updated_at` of
        every job in the state, so its cost grows with the state's size.
        """
        ...

    # -- operators (dashboard bulk actions) -------------------------------------------------
    def retry_failed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        """Move up to `limit` failed jobs (of one type, or all) back to inactive, best first,
        with their attempts reset so each gets its full attempts again. Each job moves
        atomically and is announced with `enqueue` in the same move."""
        ...

    def promote_delayed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        """Move up to `limit` delayed jobs (of one type, or all) to inactive now, whatever
        their `promote_at`; each announced with `promotion` then `enqueue` in its move."""
        ...

    def pause_type(self, job_type: str) -> None:
        """Stop every worker on this storage, in any process, from claiming the type."""
        ...

    def resume_type(self, job_type: str) -> None:
        """Undo `pause_type`; workers waiting for the type claim again."""
        ...

    # -- workers' heartbeats ---------------------------------------------------------------
    def beat(self, info: WorkerInfo, expires_at: int) -> None:
        """Record that a worker is alive (until `expires_at`, ms) and what it runs; workers
        whose heartbeat expired before `info.last_seen` are dropped on the way."""
        ...

    def forget_worker(self, worker_id: str) -> None:
        """A worker stopped cleanly: remove it from the live list at once."""
        ...

    def live_workers(self, now: int) -> list[WorkerInfo]:
        """Workers whose heartbeat has not expired at `now`, ordered by worker id."""
        ...

    # -- people (API, dashboard) -----------------------------------------------------------
    def move(self, job_id: int, state: State, now: int, promote_at: int | None = None) -> JobRecord:
        """Put a job in another state by hand (restart, dashboard edit); breaks any lease.

        Raises `JobNotFound` or `IllegalTransition`.
        """
        ...

    def remove(self, job_id: int) -> JobRecord | None:
        """Delete the job, its log and every index entry; None if it did not exist.
        `UnreadableJob` when it was deleted but held no job that can be read back (a hash
        Node Kue left half-written): there is no record to return, yet it is gone."""
        ...

    # -- reading: `StorageReading` -------------------------------------------------------
    def close(self) -> None: ...
