"""The values `JobStorage` takes and returns: claims, completions, changes, enqueue batches."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Literal, NamedTuple

import attrs

from kueport.domain.backoff import Backoff
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.retry import SuccessPlan
from kueport.domain.tuples import tuple_builder

Order = Literal["asc", "desc"]


@attrs.frozen
class Claim:
    """What a worker asks for when it has free slots."""

    job_type: str
    worker_id: str
    limit: int = 1
    lease_ms: int = 30_000
    #: Publish `start` for each claimed job atomically with the claim (the service asks for
    #: it: one round trip fewer per claim, and no listener hears of a claim that failed).
    announce: bool = False


class Settled(enum.Enum):
    """What became of a job `complete_many` finished (the worker needs no more than this,
    so the stored hash is not sent back)."""

    KEPT = "kept"  # stored as `complete`
    REMOVED = "removed"  # deleted: remove-on-complete


class Completed(NamedTuple):
    """What `complete_many` did: each completion's outcome in its place, and the jobs its
    `then_claim` claimed (best first). A `NamedTuple`, like `Completion` and `JobRecord`:
    a one-slot worker gets one per job, and a tuple is built twice as fast as a frozen
    attrs instance."""

    settled: list[Settled | Exception]
    claimed: list[JobRecord]


class Completion(NamedTuple):
    """One successful attempt to store (`JobStorage.complete_many`); one per completed job."""

    job_id: int
    lease: str | None
    result: JSONValue
    plan: SuccessPlan


#: `Completion` and `Completed` from a tuple of their fields, for the per-job path.
make_completion = tuple_builder(Completion)
make_completed = tuple_builder(Completed)


@attrs.frozen
class Changes:
    """Options a re-save or an edit may change on a stored job (None = leave as is)."""

    priority: int | None = None
    max_attempts: int | None = None
    delay_ms: int | None = None
    ttl_ms: int | None = None
    #: `backoff` is applied only when `backoff_set` (None then means "no backoff").
    backoff: Backoff | None = None
    backoff_set: bool = False
    remove_on_complete: bool | None = None
    remove_on_fail: bool | None = None
    data: JSONValue = None
    replace_data: bool = False


@attrs.frozen
class EnqueueBatch:
    """New jobs stored together by `JobStorage.enqueue_batches`, as `enqueue_many` takes them."""

    specs: Sequence[JobSpec]
    now: int
    announce: Sequence[bool] = ()
