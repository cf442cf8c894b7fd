"""The Redis storage's hot path: claiming jobs and storing their completions.

A mixin of `RedisStorage` (the module docstring of `storage.py` explains the token lists a
claim waits on). A claim that finds nothing waits on the type's token list with a blocking
pop; on the system's clock the claim script rides behind the pop (`blocking.py`), so a job
that arrives is claimed without a round trip of its own. Completions that finished together
are one script call, with the claim that refills their slots in the same round trip.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Sequence

from redis.exceptions import AskError, ClusterDownError, NoScriptError, TryAgainError

from kueport.adapters.redis import codec, json_text
from kueport.adapters.redis.blocking import NOT_SENT, BlockingPops, ServerClockRefused
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.script_replies import Moved, RawPairs, claimed
from kueport.adapters.redis.scripts import ClaimCall, Scripts
from kueport.domain.job import JobRecord, JSONValue
from kueport.domain.retry import SuccessPlan
from kueport.ports.clock import Clock
from kueport.ports.storage import Claim, Completed, Completion

log = logging.getLogger("kueport.redis")
#: Refusals of a claim behind a pop that the ordinary claim mends: a lost script (it is
#: loaded again) and a cluster's redirections (the slot map is read again).
_PASSING_REFUSALS = (NoScriptError, AskError, TryAgainError, ClusterDownError)


class RedisClaims:
    """Mixed into `RedisStorage`."""

    _keys: Keys
    _clock: Clock
    _scripts: Scripts
    _blocking: BlockingPops
    _lease_prefix: str
    _lease_numbers: itertools.count[int]
    _claims_behind_pops: bool

    def _decoded(self, job_id: int, raw: RawPairs | None) -> JobRecord | None:
        raise NotImplementedError

    def claim(self, claim: Claim, timeout: float) -> list[JobRecord]:
        owner = claim.worker_id
        if claim.limit <= 0 or self._blocking.closed_to(owner):
            return []
        deadline = time.monotonic() + max(0.0, timeout)
        records = self._claim_now(claim)
        while True:
            remaining = deadline - time.monotonic()
            if records is None:  # paused: wait out the timeout (close() cuts it short)
                self._blocking.sleep(remaining, owner)
                return []
            if records or remaining <= 0 or self._blocking.closed_to(owner):
                return records
            records = self._wait_then_claim(claim, remaining)

    def stop_claims(self, worker_id: str) -> None:
        self._blocking.stop(worker_id)

    def _wait_then_claim(self, claim: Claim, timeout: float) -> list[JobRecord] | None:
        """Wait for a token, then claim: on the system's clock, with the claim sent behind
        the pop (see `blocking.py`); where that claim was not sent or was refused (a
        restart lost the script, a cluster moved the slot), the ordinary way."""
        tokens, owner = self._keys.tokens(claim.job_type), claim.worker_id
        if not self._claims_behind_pops:
            self._blocking.wait(tokens, timeout, owner=owner)
            return [] if self._blocking.closed_to(owner) else self._claim_now(claim)
        then = self._scripts.claim_behind_pop(self._claim_call(claim))
        try:
            reply = self._blocking.wait(tokens, timeout, then, owner)
        except ServerClockRefused as refused:  # before the pop: nothing has waited yet
            self._stop_claims_behind_pops(refused)
            return self._wait_then_claim(claim, timeout)
        if reply is not NOT_SENT and not isinstance(reply, Exception):
            return self._decoded_claim(claimed(reply))
        if isinstance(reply, Exception) and not isinstance(reply, _PASSING_REFUSALS):
            self._stop_claims_behind_pops(reply)
        return [] if self._blocking.closed_to(owner) else self._claim_now(claim)

    def _stop_claims_behind_pops(self, refusal: Exception) -> None:
        """A server that refuses the claim behind a pop for good (no `TIME` for scripts, a
        renamed command): claim after the pop, as before, from now on."""
        self._claims_behind_pops = False
        log.warning("claims no longer ride behind blocking pops on this queue: %s", refusal)

    def _claim_call(self, claim: Claim) -> ClaimCall:
        prefix, numbers = self._lease_prefix, self._lease_numbers
        leases = [f"{prefix}{next(numbers):x}" for _ in range(claim.limit)]
        now = self._clock.now_ms()
        return (claim.job_type, claim.worker_id, claim.lease_ms, leases, now, claim.announce)

    def _claim_now(self, claim: Claim) -> list[JobRecord] | None:
        return self._decoded_claim(self._scripts.claim(*self._claim_call(claim)))

    @staticmethod
    def _decoded_claim(moved: Moved | None) -> list[JobRecord] | None:
        if moved is None:
            return None  # paused
        return [codec.decode(job_id, raw) for job_id, raw in moved]

    def complete(
        self,
        job_id: int,
        lease: str | None,
        result: JSONValue,
        plan: SuccessPlan,
        now: int,
        announce: bool = False,
    ) -> JobRecord | None:
        result_json = "" if result is None else json_text.encode_result(result)
        outcome = (plan.duration_ms, plan.attempts, result_json, plan.remove)
        return self._decoded(job_id, self._scripts.complete(job_id, lease, now, outcome, announce))

    def complete_many(
        self, completions: Sequence[Completion], now: int, then_claim: Claim | None = None
    ) -> Completed:
        encode = json_text.encode_result
        jobs = [
            (
                done.job_id,
                done.lease,
                (
                    done.plan.duration_ms,
                    done.plan.attempts,
                    "" if done.result is None else encode(done.result),
                    done.plan.remove,
                ),
            )
            for done in completions
        ]
        claim_call = None if then_claim is None else self._claim_call(then_claim)
        settled, moved = self._scripts.complete_many(jobs, now, claim_call)
        if isinstance(moved, Exception):
            raise moved
        return Completed(settled, [codec.decode(job_id, raw) for job_id, raw in moved or ()])
