"""How jobs are ordered: exactly Kue's sorted-set scores and members.

A Redis sorted set orders by score, then by member bytes. Kue's member is the zero-padded
`zid`, so equal priorities come out in id order. The memory adapter sorts by `(score, zid)`
with these same functions, which is what lets one contract suite compare claim order.
"""

from __future__ import annotations

from kueport.domain.errors import KueportError
from kueport.domain.state import State


def zid(job_id: int) -> str:
    """Kue's `createFIFO`: the id's digit count, two digits wide, a bar, then the id."""
    digits = str(job_id)
    if len(digits) > 99:
        raise KueportError(f"job id {job_id} has more than 99 digits")
    return f"{len(digits):02d}|{digits}"


def strip_zid(member: str) -> int:
    """Kue's `stripFIFO`: the id back from a zset member."""
    return int(member[member.index("|") + 1 :])


def sort_key(score: float, member: str) -> tuple[float, bytes]:
    """The order of a Redis sorted set: score, then the member's bytes."""
    return (score, member.encode())


def state_score(
    state: State, priority: int, *, promote_at: int | None = None, ttl_deadline: int | None = None
) -> float:
    """The score of a job in the `jobs:<state>` set.

    Delayed jobs sort by when they are due; active jobs with a TTL by when it runs out
    (moved `TIMED_BASE` on), so a sweep finds them with one range query; other active jobs
    get `-abs(priority)`, which keeps them below any deadline.
    """
    if state is State.DELAYED and promote_at is not None:
        return promote_at
    if state is State.ACTIVE:
        return active_score(priority, ttl_deadline)
    return priority


#: What an active job with a TTL is scored on top of its deadline (Redis: lib.lua `timed`):
#: past any `Date.now()`, out of the range Node Kue's TTL checker reads (100000..now). That
#: checker fails whatever it finds there unless the Kue worker holding the job acks; kueport's
#: workers enforce their own TTLs under a lease, so it would fail their jobs a second time.
TIMED_BASE = 10**15


def active_score(priority: int, ttl_deadline: int | None) -> float:
    """`state_score` of an active job, for the claim path that knows the state already
    (positional and enum-free: it runs once per claimed job)."""
    return -abs(priority) if ttl_deadline is None else TIMED_BASE + ttl_deadline


def type_score(priority: int) -> float:
    """Per-type sets (`jobs:<type>:<state>`) always score by priority."""
    return priority


#: Active-set scores below this are priorities, not TTL deadlines (Kue's own floor).
TTL_SCORE_FLOOR = 100_000
