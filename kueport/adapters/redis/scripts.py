"""The Lua scripts of the Redis adapter, one per transition, each behind a typed wrapper.

How scripts are loaded and run (EVALSHA, pipelines, NOSCRIPT, Cluster routing) is
`script_runner.py`; the enqueue wrappers are `enqueue_scripts.py`; here are the workers' and
the operators' transitions.

Key names all come from `Keys`. A script only learns a job's type by reading its hash, so it
builds the per-type keys from the heads `layout.Layout` derives from `Keys` (checked at start-up to
match it exactly). With a `{hash-tag}` prefix every such key lives in the same cluster slot.

The wrappers turn the scripts' status replies into domain errors (`script_replies.py`:
`missing` becomes `JobNotFound`, `lease` `LeaseLost`; `illegal` is `IllegalTransition`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from kueport.adapters.redis.claim_scripts import ClaimCall, ClaimScripts, CompleteCall
from kueport.adapters.redis.codec import InvalidJobHash
from kueport.adapters.redis.connection import is_cluster
from kueport.adapters.redis.enqueue_scripts import EnqueueRow
from kueport.adapters.redis.promotion_lock import PromotionLock
from kueport.adapters.redis.script_replies import (
    Moved,
    RawPairs,
    checked,
    checked_or_removed,
    moved,
    pairs,
    text,
)
from kueport.adapters.redis.script_runner import Arg
from kueport.domain.errors import IllegalTransition, JobNotFound
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.domain.throughput import COUNTER_TTL_MS, FAILED, minute_start

__all__ = ["ClaimCall", "CompleteCall", "EnqueueRow", "Scripts", "opt"]


def opt(value: int | None) -> str:
    """An optional integer for ARGV: '' means "absent"."""
    return "" if value is None else str(value)


class Scripts(ClaimScripts):
    """Every transition script with a typed wrapper: enqueueing (`EnqueueScripts`), claims
    and completions (`ClaimScripts`), the workers' other moves and the operators' ones."""

    def update(
        self,
        job_id: int,
        now: int,
        priority: int | None,
        delay_ms: int | None,
        set_fields: dict[str, str],
        del_fields: Sequence[str],
    ) -> RawPairs:
        k = self.keys
        args: list[Arg] = [now, zid(job_id), self.layout.jobs_head, opt(priority), opt(delay_ms)]
        args += [len(del_fields), *del_fields]
        args += [item for pair in set_fields.items() for item in pair]
        return checked(job_id, self._run("update", [k.job(job_id), k.jobs], args))

    # -- workers (claims and completions: `ClaimScripts`) ----------------------------
    def fail(
        self,
        job_id: int,
        lease: str | None,
        now: int,
        error: tuple[str, str],
        plan: tuple[int, State, int, int, bool],
        announce: Sequence[str] = (),
        max_log_lines: int = 0,
    ) -> RawPairs | None:
        """`error` is (full error, log line); `plan` (attempts, next state, delay ms,
        promote_at, remove); `announce` event messages published with the move."""
        return self._fail(
            job_id, lease, now, error, plan, None, announce, max_log_lines=max_log_lines
        )

    def _fail(
        self,
        job_id: int,
        lease: str | None,
        now: int,
        error: tuple[str, str],
        plan: tuple[int, State, int, int, bool],
        expired_by: int | None,
        announce: Sequence[str] = (),
        *,
        max_log_lines: int = 0,
    ) -> RawPairs | None:
        attempts, state, delay, promote_at, remove = plan
        k, lay = self.keys, self.layout
        keys = [k.job(job_id), k.log(job_id), k.jobs, k.leases]
        keys.append(k.throughput(minute_start(now), FAILED))
        args: list[Arg] = [now, zid(job_id), lay.jobs_head, lay.tokens_head, lay.tokens_tail]
        args += [lease or "", error[0], error[1], attempts or "", state.value]
        args += [delay if delay > 0 else "", promote_at, "1" if remove else "", opt(expired_by)]
        args += [max_log_lines, k.events, COUNTER_TTL_MS, *announce]
        return checked_or_removed(job_id, self._run("fail", keys, args))

    def fail_stalled(
        self,
        job_id: int,
        lease: str,
        now: int,
        error: tuple[str, str],
        plan: tuple[int, State, int, int, bool],
        max_log_lines: int = 0,
    ) -> RawPairs | None:
        """`fail`, refused when the lease was renewed past `now` (the worker is alive)."""
        return self._fail(job_id, lease, now, error, plan, now, max_log_lines=max_log_lines)

    def requeue_stalled(
        self, job_id: int, lease: str, stalled: int, note: str, now: int, max_log_lines: int = 0
    ) -> RawPairs:
        k, lay = self.keys, self.layout
        keys = [k.job(job_id), k.log(job_id), k.jobs, k.leases]
        args: list[Arg] = [now, zid(job_id), lay.jobs_head, lay.tokens_head, lay.tokens_tail]
        args += [lease, stalled, note, max_log_lines]
        return checked(job_id, self._run("requeue_stalled", keys, args))

    def renew_lease(self, job_id: int, lease: str, until: int) -> bool:
        keys = [self.keys.job(job_id), self.keys.leases]
        return bool(int(self._run("renew_lease", keys, [zid(job_id), lease, until])))

    def set_progress(
        self, job_id: int, lease: str | None, percent: int, data_json: str, now: int
    ) -> RawPairs:
        k = self.keys
        keys = [k.job(job_id), k.jobs, k.state(State.ACTIVE)]
        args: list[Arg] = [now, zid(job_id), lease or "", percent, data_json]
        return checked(job_id, self._run("set_progress", keys, args))

    def append_log(self, job_id: int, line: str, now: int, max_lines: int = 0) -> None:
        keys = [self.keys.job(job_id), self.keys.log(job_id)]
        if not int(self._run("append_log", keys, [now, line, max_lines])):
            raise JobNotFound(job_id)

    # -- maintenance -----------------------------------------------------------------------
    def promote_due(self, now: int, limit: int) -> Moved:
        """Due delayed jobs to inactive, none while Node Kue's promoter holds its lock.

        Kue reads the due ids, then moves each job with separate commands, holding
        `promotion:lock`: a job promoted (and claimed) in between would be put back to
        inactive by Node and run twice. On one server the script checks the lock in the same
        step, so it needs no lock of its own. On a cluster the lock is in another slot, so
        it cannot be read by the script: kueport takes it around the script, as Kue does."""
        k, lay = self.keys, self.layout
        args: list[Arg] = [now, limit, lay.job_head, lay.jobs_head, lay.tokens_head]
        args += [lay.tokens_tail, k.events]
        keys = [k.state(State.DELAYED), k.jobs]
        if not is_cluster(self.client):
            return moved(self._run("promote_due", [*keys, k.promotion_lock], args))
        with self._promotion_lock.attempt() as held:
            # Not held: a Node (or kueport) promoter is at work; the next pass tries again.
            return moved(self._run("promote_due", keys, args)) if held else []

    def requeue_set(self, source: str, state: State, now: int, limit: int) -> Moved:
        """Up to `limit` jobs of the `source` set (`state`'s, global or of a type) to inactive:
        failed ones with their attempts reset, delayed ones announced as promoted.

        Delayed ones move while kueport holds Kue's promotion lock, on every topology (see
        `promote_due` for why): an operator's "promote all" waits briefly for Kue's pass to
        end rather than doing nothing, and raises `PromotionLocked` if it never ends. Failed
        jobs are no promoter's business, so retrying them takes no lock."""
        k, lay = self.keys, self.layout
        args: list[Arg] = [now, limit, lay.job_head, lay.jobs_head, lay.tokens_head]
        args += [lay.tokens_tail, k.events, state.value]
        args += ["1" if state is State.FAILED else "", "1" if state is State.DELAYED else ""]
        if state is not State.DELAYED:
            return moved(self._run("requeue_set", [source, k.jobs], args))
        with self._promotion_lock.waited_for():
            return moved(self._run("requeue_set", [source, k.jobs], args))

    @functools.cached_property
    def _promotion_lock(self) -> PromotionLock:
        return PromotionLock(self.client, self.keys.promotion_lock)

    def worker_beat(self, worker_id: str, now: int, expires_at: int | None, info: str) -> int:
        """Record (or with `expires_at=None` forget) a worker; drops expired ones."""
        keys = [self.keys.workers, self.keys.worker_info]
        return int(self._run("worker_beat", keys, [now, worker_id, opt(expires_at), info]))

    def sync_tokens(self, job_type: str) -> int:
        keys = [self.keys.tokens(job_type), self.keys.type_state(job_type, State.INACTIVE)]
        return int(self._run("sync_tokens", keys, []))

    def clean(self, state: State, victims: Sequence[tuple[int, str]]) -> Moved:
        """Remove each (id, updated_at as read) job still in `state` and unchanged."""
        k, lay = self.keys, self.layout
        args: list[Arg] = [state.value, lay.job_head, lay.jobs_head]
        args += [item for pair in victims for item in pair]
        return moved(self._run("clean", [k.jobs, k.leases], args))

    # -- people ----------------------------------------------------------------------------
    def move(
        self,
        job_id: int,
        target: State,
        now: int,
        promote_at: int | None,
        sources: Sequence[State],
    ) -> RawPairs:
        k, lay = self.keys, self.layout
        keys = [k.job(job_id), k.jobs, k.leases]
        args: list[Arg] = [now, zid(job_id), lay.jobs_head, lay.tokens_head, lay.tokens_tail]
        args += [target.value, opt(promote_at), *(s.value for s in sources)]
        reply = self._run("move", keys, args)
        if text(reply[0]) == "illegal":
            raise IllegalTransition(job_id, text(reply[1]), target.value)
        if text(reply[0]) == "invalid":
            raise InvalidJobHash(job_id, "it has no type")
        return checked(job_id, reply)

    def remove(self, job_id: int, *, only_if_gone: bool = False) -> RawPairs:
        """With `only_if_gone`, only the traces of a job whose hash was deleted already
        (its lease entry, its search entries), never a stored job."""
        k, lay = self.keys, self.layout
        keys = [k.job(job_id), k.log(job_id), k.jobs, k.leases]
        args: list[Arg] = [zid(job_id), lay.jobs_head, lay.tokens_head, lay.tokens_tail]
        args += ["1" if only_if_gone else "", *(s.value for s in State)]
        return pairs(self._run("remove", keys, args))
