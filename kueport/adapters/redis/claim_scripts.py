"""The claim and completion scripts' wrappers: the workers' hot path on Redis.

`claim` moves the best inactive jobs of a type to active under fresh leases (or, sent behind
a blocking pop, as the pop returns: `claim_behind_pop`); `complete` and `complete_many`
store successes, the latter with a claim for the slots it frees in the same round trip. A
base of `Scripts` (`scripts.py`), which adds every other transition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from redis.cluster import RedisCluster
from redis.exceptions import RedisError

from kueport.adapters.redis.enqueue_scripts import EnqueueScripts
from kueport.adapters.redis.lane import ShaCall
from kueport.adapters.redis.script_replies import (
    Moved,
    RawPairs,
    checked_or_removed,
    claimed,
    settled,
)
from kueport.adapters.redis.script_runner import Arg, Call
from kueport.domain.errors import KueportError
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.domain.throughput import COMPLETE, COUNTER_TTL_MS, minute_start
from kueport.ports.storage import Settled

CompleteCall = tuple[int, str | None, tuple[int, int, str, bool]]
"""One job of `complete_many`: id, lease, outcome (as `complete`'s)."""
ClaimCall = tuple[str, str, int, Sequence[str], int, bool]
"""`claim`'s arguments: type, worker id, lease ms, leases, now, announce."""


class ClaimScripts(EnqueueScripts):
    """Claims and completions, on top of the enqueue wrappers."""

    def claim(
        self,
        job_type: str,
        worker_id: str,
        lease_ms: int,
        leases: Sequence[str],
        now: int,
        announce: bool = False,
    ) -> Moved | None:
        """The jobs claimed, or None while the type is paused; with `announce`, each job's
        `start` is published by the script."""
        keys, args = self._claim_args((job_type, worker_id, lease_ms, leases, now, announce))
        return claimed(self._run("claim", keys, args))

    def claim_behind_pop(self, call: ClaimCall) -> Callable[[int], ShaCall]:
        """`claim` as an EVALSHA to send in the same write as a blocking pop (`BlockingPops.
        wait`), which Redis then runs the moment the pop returns: given the offset (µs) of
        the client's clock from the server's, measured just before the pop, the script
        stamps the jobs with the server's clock moved onto the client's (`call`'s `now` is
        not used: the claim runs whenever a job arrives)."""
        keys, args = self._claim_args(call)

        def behind_pop(offset_us: int) -> ShaCall:
            return self._scripts["claim"].sha, keys, [f"@{offset_us}", *args[1:]]

        return behind_pop

    def _claim_args(self, call: ClaimCall) -> Call:
        job_type, worker_id, lease_ms, leases, now, announce = call
        k, lay = self.keys, self.layout
        keys = [k.type_state(job_type, State.INACTIVE), k.tokens(job_type), k.leases, k.jobs]
        keys.append(k.paused_types)
        args: list[Arg] = [now, lay.job_head, lay.jobs_head, job_type, worker_id, lease_ms]
        args.append(k.events if announce else "")
        args += leases
        return keys, args

    def complete(
        self,
        job_id: int,
        lease: str | None,
        now: int,
        outcome: tuple[int, int, str, bool],
        announce: bool = False,
    ) -> RawPairs | None:
        """`outcome` is (duration ms, attempts, result JSON or '', remove); with `announce`
        the script publishes Kue's `complete` event with the move."""
        keys, args = self._complete_call([(job_id, lease, outcome)], now, announce, brief=False)
        (reply,) = self._run("complete", keys, args)
        return checked_or_removed(job_id, reply)

    def _complete_call(
        self, jobs: Sequence[CompleteCall], now: int, announce: bool, brief: bool
    ) -> Call:
        k = self.keys
        keys = [k.jobs, k.leases, k.work_time, k.throughput(minute_start(now), COMPLETE)]
        args: list[Arg] = [now, self.layout.jobs_head, COUNTER_TTL_MS]
        args += [k.events if announce else "", "1" if brief else ""]
        for job_id, lease, (duration, attempts, result, remove) in jobs:
            keys += (k.job(job_id), k.log(job_id))
            args += (zid(job_id), lease or "", duration, attempts or "", result)
            args.append("1" if remove else "")
        return keys, args

    def complete_many(
        self, jobs: Sequence[CompleteCall], now: int, then_claim: ClaimCall | None = None
    ) -> tuple[list[Settled | Exception], Moved | Exception | None]:
        """`complete` of every job, announced, in ONE script call (and one round trip):
        what a worker whose jobs finished together sends. Each job's outcome (or its
        error, e.g. `LeaseLost`) is returned in its place; the script replies with statuses
        only, not the stored hashes. With `then_claim`, a `claim` follows in the same round
        trip; its jobs (None while the type is paused, or its error) come second."""
        calls: list[tuple[str, Call]] = []
        if jobs:
            calls.append(("complete", self._complete_call(jobs, now, True, brief=True)))
        if then_claim is not None:
            calls.append(("claim", self._claim_args(then_claim)))
        if isinstance(self.client, RedisCluster) or len(calls) == 1:
            replies: list[Any] = []
            for name, (keys, args) in calls:  # a cluster pipeline would not load scripts
                try:
                    replies.append(self._run(name, keys, args))
                except RedisError as error:
                    replies.append(error)
        else:
            replies = self._pipelined(calls)
        refill: Moved | Exception | None = None
        if then_claim is not None:
            reply = replies.pop()
            refill = reply if isinstance(reply, Exception) else claimed(reply)
        if not jobs:
            return [], refill
        batch = replies[0]
        if isinstance(batch, Exception):  # the script did not run: no job moved
            return [batch for _ in jobs], refill
        outcomes: list[Settled | Exception] = []
        for reply, (job_id, _, _) in zip(batch, jobs, strict=True):
            try:
                outcomes.append(settled(job_id, reply))
            except KueportError as error:
                outcomes.append(error)
        return outcomes, refill
