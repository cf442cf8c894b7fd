"""The Lua scripts of the Redis adapter, one per transition, each behind a typed wrapper.

Every script lives in `lua/<name>.lua` with a header listing its KEYS, ARGV and reply; the
helpers of `lua/lib.lua` are prepended to each. They are loaded with `importlib.resources`
and registered once per client with `register_script`, which runs them with EVALSHA and
reloads them by itself after a server restart (`NOSCRIPT`).

Key names all come from `Keys`. A script only learns a job's type by reading its hash, so it
builds the per-type keys from the heads `layout.Layout` derives from `Keys` (checked at start-up to
match it exactly). With a `{hash-tag}` prefix every such key lives in the same cluster slot.

Redis Cluster: every script declares at least one key in KEYS (`_run` refuses a call without
one), and redis-py's `RedisCluster` sends EVALSHA to the node owning the slot of those keys
(it checks they share one). The keys a script builds from the heads carry the same hash tag,
so they are on that node too. On `NOSCRIPT` (a fresh node after a failover) the `Script`
object loads itself again (on a cluster, SCRIPT LOAD goes to every primary) and retries.

The wrappers turn the scripts' status replies into domain errors (`script_replies.py`:
`missing` becomes `JobNotFound`, `lease` `LeaseLost`; `illegal` is `IllegalTransition`).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError, RedisError

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.json_text import to_json
from kueport.adapters.redis.keys import Keys, check_type
from kueport.adapters.redis.lane import Lane, Stream
from kueport.adapters.redis.layout import Layout
from kueport.adapters.redis.lua_source import load_source, with_helpers
from kueport.adapters.redis.script_replies import (
    Moved,
    RawPairs,
    checked,
    checked_or_removed,
    claimed,
    job_ids,
    moved,
    pairs,
    settled,
    text,
)
from kueport.domain.errors import IllegalTransition, JobNotFound, KueportError
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.domain.throughput import COMPLETE, COUNTER_TTL_MS, FAILED, minute_start
from kueport.ports.storage import Settled

#: A script argument.
Arg = str | int | float
CompleteCall = tuple[int, str | None, tuple[int, int, str, bool]]
"""One job of `Scripts.complete_many`: id, lease, outcome (as `Scripts.complete`'s)."""
Call = tuple[Sequence[str], Sequence[Arg]]
"""One script call: its KEYS and its ARGV."""
ClaimCall = tuple[str, str, int, Sequence[str], int, bool]
"""`Scripts.claim`'s arguments: type, worker id, lease ms, leases, now, announce."""
EnqueueRow = tuple[str, State, int, float, dict[str, str]]
"""`Scripts.enqueue`'s arguments: type, initial state, priority, score, hash fields."""

_NAMES = (
    "enqueue", "claim", "complete", "fail", "renew_lease", "set_progress", "append_log",
    "promote_due", "move", "update", "remove", "sync_tokens", "requeue_stalled", "clean",
    "worker_beat", "requeue_set",
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def enqueue_message_tail(job_type: str) -> str:
    """The `enqueue` event of a job of `job_type` after its id: `encode_event` of the same
    event is `'{"id":' + id + tail`. Made here (once per type) rather than in Lua, where
    cjson's escaping differs from `JSON.stringify` for some characters."""
    return ',"event":"enqueue","args":' + to_json(["enqueue", job_type]) + "}"


def opt(value: int | None) -> str:
    """An optional integer for ARGV: '' means "absent"."""
    return "" if value is None else str(value)


class Scripts:
    """Every transition script registered on one client, with typed wrappers."""

    def __init__(self, client: RedisClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.layout = Layout.of(keys)
        lib = load_source("lib")
        self._scripts = {
            name: client.register_script(with_helpers(lib, load_source(name))) for name in _NAMES
        }

    def _run(self, name: str, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        if not keys:  # a cluster routes EVALSHA by its first key
            raise KueportError(f"script {name!r} must be given at least one key")
        script: Script = self._scripts[name]
        try:
            return self._lane.evalsha(script.sha, keys, args)
        except NoScriptError:  # a restart or failover lost it: load it, as `Script` does
            script.sha = self.client.script_load(script.script)
            return self._lane.evalsha(script.sha, keys, args)

    def _pipelined(self, calls: Sequence[tuple[str, Call]]) -> list[Any]:
        """Run each (script name, (keys, args)) call in one round trip; each reply (or
        error, never raised) in its place.

        Plain EVALSHAs in a pipeline: redis-py's own way (a `Script` called on a pipeline)
        sends SCRIPT EXISTS first, one more round trip on every batch. A server that lost
        its scripts (restart, failover) refuses each call of a missing script with NOSCRIPT
        without running it: those scripts are loaded and the batch sent again, in order,
        if every call was refused; otherwise only the refused ones are sent again.
        """
        for _ in range(3):
            if self._lane.usable:  # the same round trip without redis-py's layers
                shas = [(self._scripts[name].sha, keys, args) for name, (keys, args) in calls]
                replies: list[Any] = self._lane.run_many(shas)
            else:
                pipe = self.client.pipeline(transaction=False)
                for name, (keys, args) in calls:
                    pipe.evalsha(self._scripts[name].sha, len(keys), *keys, *args)
                replies = pipe.execute(raise_on_error=False)
            refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
            if not refused:
                return replies
            for name in {calls[i][0] for i in refused}:
                script: Script = self._scripts[name]
                script.sha = self.client.script_load(script.script)
            if len(refused) < len(calls):
                again = self._pipelined([calls[i] for i in refused])
                for i, reply in zip(refused, again, strict=True):
                    replies[i] = reply
                return replies
        return replies

    # -- producers -------------------------------------------------------------------------
    def enqueue(
        self,
        job_type: str,
        state: State,
        priority: int,
        score: float,
        fields: dict[str, str],
        announce: bool = False,
    ) -> int:
        """The new job's id; with `announce`, an inactive job's `enqueue` is published too."""
        keys, args = self._enqueue_call((job_type, state, priority, score, fields), announce)
        return int(self._run("enqueue", keys, args))

    @functools.cached_property
    def _lane(self) -> Lane:
        """Every script call goes through it, single (`_run`) or pipelined (worker
        completions and claims, bulk enqueues): see `lane.py`. A script call spends about
        as long in redis-py's layers around the command as on the round trip itself."""
        return Lane(self.client)

    def _enqueue_call(self, row: EnqueueRow, announce: bool) -> tuple[list[str], list[Arg]]:
        job_type, state, priority, score, fields = row
        ids, jobs, types, events, job_head, jobs_head, tokens_head, tokens_tail = self._enqueue_keys
        args: list[Arg] = [job_head, jobs_head, job_type, state.value, priority, score]
        args += (events, enqueue_message_tail(job_type)) if announce else ("", "")
        for pair in fields.items():
            args += pair
        return [ids, jobs, types, tokens_head + check_type(job_type) + tokens_tail], args

    @functools.cached_property
    def _enqueue_keys(self) -> tuple[str, ...]:
        """What every enqueue call sends, made once (`Keys` builds each name per call); the
        token list is `Keys.tokens` as `Layout` builds it (checked against it at start-up)."""
        k, lay = self.keys, self.layout
        names = (k.ids, k.jobs, k.types, k.events)
        return (*names, lay.job_head, lay.jobs_head, lay.tokens_head, lay.tokens_tail)

    def enqueue_many(self, rows: Sequence[EnqueueRow], announce: Sequence[bool] = ()) -> list[int]:
        """`enqueue` for each row in one round trip (on the enqueue lane when the client
        allows it); `announce[i]` as `enqueue`'s `announce` for row i (default: none).

        After NOSCRIPT (a restart, a failover) the script is loaded and only the refused
        calls are sent again, in order: a call that ran is never run twice.
        """
        flags = announce or [False] * len(rows)
        if isinstance(self.client, RedisCluster):  # its pipelines do not load scripts
            return [self.enqueue(*r, announce=a) for r, a in zip(rows, flags, strict=True)]
        calls = [self._enqueue_call(r, a) for r, a in zip(rows, flags, strict=True)]
        return job_ids(self._pipelined([("enqueue", call) for call in calls]))

    def enqueue_batches(
        self,
        batches: Iterable[tuple[Sequence[EnqueueRow], Sequence[bool]]],
        on_ids: Callable[[list[int]], None],
    ) -> None:
        """`enqueue_many` of each (rows, announce) batch in turn; `on_ids` hears each batch's
        ids, in order, once it is stored.

        Each batch is sent before the replies to the one before it are read, so Redis runs
        one batch while the next is encoded (the iterable is read lazily) and the previous
        one's ids are handed back: the two sides work at once instead of taking turns.
        NOSCRIPT is handled as `_pipelined` does, once everything in flight is read.
        """
        if isinstance(self.client, RedisCluster) or not self._lane.usable:
            for rows, announce in batches:
                on_ids(self.enqueue_many(rows, announce))
            return
        in_flight: deque[Sequence[Call]] = deque()
        with self._lane.stream() as stream:
            for rows, announce in batches:
                flags = announce or [False] * len(rows)
                calls = [self._enqueue_call(r, a) for r, a in zip(rows, flags, strict=True)]
                sha = self._scripts["enqueue"].sha
                stream.send([(sha, keys, args) for keys, args in calls])
                in_flight.append(calls)
                if len(in_flight) > 1:
                    self._hand_back(stream, in_flight, on_ids)
            while in_flight:
                self._hand_back(stream, in_flight, on_ids)

    def _hand_back(
        self, stream: Stream, in_flight: deque[Sequence[Call]], on_ids: Callable[[list[int]], None]
    ) -> None:
        """Read the oldest batch in flight and hand its ids to `on_ids`. After a NOSCRIPT,
        every batch in flight is read first (they went to the same server), then only the
        refused calls are sent again, in order, with the script loaded."""
        read = [(in_flight.popleft(), stream.read())]
        if not any(isinstance(reply, NoScriptError) for reply in read[0][1]):
            on_ids(job_ids(read[0][1]))
            return
        while in_flight:
            read.append((in_flight.popleft(), stream.read()))
        calls = [call for batch, _ in read for call in batch]
        replies = [reply for _, batch_replies in read for reply in batch_replies]
        refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        again = self._pipelined([("enqueue", calls[i]) for i in refused])
        for i, reply in zip(refused, again, strict=True):
            replies[i] = reply
        start = 0
        for batch, _ in read:
            on_ids(job_ids(replies[start : start + len(batch)]))
            start += len(batch)

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

    # -- workers ---------------------------------------------------------------------------
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
        k, lay = self.keys, self.layout
        args: list[Arg] = [now, limit, lay.job_head, lay.jobs_head, lay.tokens_head]
        args += [lay.tokens_tail, k.events]
        return moved(self._run("promote_due", [k.state(State.DELAYED), k.jobs], args))

    def requeue_set(self, source: str, state: State, now: int, limit: int) -> Moved:
        """Up to `limit` jobs of the `source` set (`state`'s, global or of a type) to inactive:
        failed ones with their attempts reset, delayed ones announced as promoted."""
        k, lay = self.keys, self.layout
        args: list[Arg] = [now, limit, lay.job_head, lay.jobs_head, lay.tokens_head]
        args += [lay.tokens_tail, k.events, state.value]
        args += ["1" if state is State.FAILED else "", "1" if state is State.DELAYED else ""]
        return moved(self._run("requeue_set", [source, k.jobs], args))

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
        return checked(job_id, reply)

    def remove(self, job_id: int) -> RawPairs:
        k, lay = self.keys, self.layout
        keys = [k.job(job_id), k.log(job_id), k.jobs, k.leases]
        args: list[Arg] = [zid(job_id), lay.jobs_head, lay.tokens_head, lay.tokens_tail]
        args += [s.value for s in State]
        return pairs(self._run("remove", keys, args))
