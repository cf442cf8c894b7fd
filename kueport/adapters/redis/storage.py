"""`JobStorage` on Redis, in Kue 0.11.6's exact layout; every transition is one Lua script.

Tokens. Kue's workers BLPOP `P:<type>:jobs`, which should hold one `"1"` per inactive job.
Every script that changes a type's inactive set ends by making the token list exactly as
long as that set (`sync_tokens` in `lua/lib.lua`), so after every completed call the count
is exact. A blocked claim pops a token only to wake up; it then runs the claim script, which
claims what it can and resets the list to the inactive count, which also "returns" the popped
token if its job was taken by someone else. No wake-up is lost: a claimer only stays blocked
while the list is empty, and the list is empty after a script only when no job is inactive.
A stray token (a Node worker's shutdown, a process killed between its pop and its script)
wakes one claimer, whose script drops it.

Blocking pops run on their own connections (the main client's connection options, its own
pool); `close()` wakes them with `CLIENT UNBLOCK`.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import redis

from kueport.adapters.redis import codec
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.reading import Reader, ZSetItems
from kueport.adapters.redis.scripts import RawPairs, Scripts
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.ordering import state_score, type_score
from kueport.domain.retry import FailurePlan, SuccessPlan
from kueport.domain.state import ALLOWED_MOVES, State
from kueport.ports.clock import Clock
from kueport.ports.storage import Changes, Claim, Order

#: How long `close()` keeps waking blocked claimers that have not let go yet (seconds).
_CLOSE_GRACE = 2.0


class RedisStorage:
    """`JobStorage` on one Redis (or one cluster slot, with a `{hash-tag}` prefix)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        clock: Clock,
        blocking_client: redis.Redis | None = None,
    ) -> None:
        self._client = client
        self._keys = keys
        self._clock = clock
        self._scripts = Scripts(client, keys)
        self._read = Reader(client, keys)
        self._owns_blocking = blocking_client is None
        self._blocking_pool = (
            blocking_client.connection_pool
            if blocking_client is not None
            else _pool_like(client.connection_pool)
        )
        self._lock = threading.Lock()
        self._waiting: dict[int, int] = {}  # id(connection) -> its CLIENT ID
        self._closed = False

    # -- producers -------------------------------------------------------------------------
    def enqueue(self, spec: JobSpec, now: int) -> JobRecord:
        fields = codec.encode_new(spec, 0, now)  # the hash holds no id
        state = spec.initial_state
        score = state_score(state, spec.priority, promote_at=now + spec.delay_ms)
        job_id = self._scripts.enqueue(
            spec.type, state, int(type_score(spec.priority)), score, fields
        )
        return codec.decode(job_id, fields)

    def update(self, job_id: int, changes: Changes, now: int) -> JobRecord:
        sets, dels = _changed_fields(changes)
        raw = self._scripts.update(job_id, now, changes.priority, changes.delay_ms, sets, dels)
        return codec.decode(job_id, raw)

    # -- workers ---------------------------------------------------------------------------
    def claim(self, claim: Claim, timeout: float) -> list[JobRecord]:
        if claim.limit <= 0:
            return []
        deadline = time.monotonic() + max(0.0, timeout)
        while not self._closed:
            claimed = self._claim_now(claim)
            remaining = deadline - time.monotonic()
            if claimed or remaining <= 0:
                return claimed
            self._wait_for_token(self._keys.tokens(claim.job_type), remaining)
        return []

    def _claim_now(self, claim: Claim) -> list[JobRecord]:
        leases = [uuid.uuid4().hex for _ in range(claim.limit)]
        now = self._clock.now_ms()
        moved = self._scripts.claim(claim.job_type, claim.worker_id, claim.lease_ms, leases, now)
        return [codec.decode(job_id, raw) for job_id, raw in moved]

    def complete(
        self, job_id: int, lease: str | None, result: JSONValue, plan: SuccessPlan, now: int
    ) -> JobRecord | None:
        result_json = "" if result is None else codec.encode_result(result)
        outcome = (plan.duration_ms, plan.attempts, result_json, plan.remove)
        return self._decoded(job_id, self._scripts.complete(job_id, lease, now, outcome))

    def fail(
        self, job_id: int, lease: str | None, error: str, plan: FailurePlan, now: int
    ) -> JobRecord | None:
        remove = plan.remove and plan.next_state is State.FAILED
        steps = (plan.attempts, plan.next_state, plan.delay_ms, plan.promote_at, remove)
        first_line = error.partition("\n")[0]  # Kue logs the error's first line
        raw = self._scripts.fail(job_id, lease, now, (error, first_line), steps)
        return self._decoded(job_id, raw)

    def renew_lease(self, job_id: int, lease: str, until: int) -> bool:
        return bool(lease) and self._scripts.renew_lease(job_id, lease, until)

    def set_progress(
        self, job_id: int, lease: str | None, percent: int, data: JSONValue, now: int
    ) -> JobRecord:
        data_json = "" if data is None else codec.encode_data(data, "progress data")
        return codec.decode(
            job_id, self._scripts.set_progress(job_id, lease, percent, data_json, now)
        )

    def append_log(self, job_id: int, line: str, now: int) -> None:
        self._scripts.append_log(job_id, line, now)

    # -- maintenance -----------------------------------------------------------------------
    def promote_due(self, now: int, limit: int) -> list[JobRecord]:
        if limit <= 0:
            return []
        return [codec.decode(job_id, raw) for job_id, raw in self._scripts.promote_due(now, limit)]

    def ttl_expired(self, now: int, limit: int) -> list[JobRecord]:
        return self._read.ttl_expired(now, limit)

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        return self._read.lease_expired(now, limit)

    def reconcile_tokens(self) -> int:
        return sum(self._scripts.sync_tokens(t) for t in sorted(self._read.inactive_types()))

    # -- people ----------------------------------------------------------------------------
    def move(self, job_id: int, state: State, now: int, promote_at: int | None = None) -> JobRecord:
        sources = [s for s in State if s is state or state in ALLOWED_MOVES[s]]
        return codec.decode(job_id, self._scripts.move(job_id, state, now, promote_at, sources))

    def remove(self, job_id: int) -> JobRecord | None:
        try:
            return self._read.decode(job_id, self._scripts.remove(job_id))
        except codec.InvalidJobHash:
            return None  # removed all the same; there was no readable job to return

    # -- reading ---------------------------------------------------------------------------
    def get(self, job_id: int) -> JobRecord | None:
        return self._read.get(job_id)

    def logs(self, job_id: int) -> list[str]:
        return self._read.logs(job_id)

    def count(self, state: State | None = None, job_type: str | None = None) -> int:
        return self._read.count(state, job_type)

    def ids(self, state: State, job_type: str | None = None) -> list[int]:
        return self._read.ids(state, job_type)

    def range(
        self,
        state: State | None,
        job_type: str | None,
        start: int,
        stop: int,
        order: Order = "asc",
    ) -> list[JobRecord]:
        return self._read.range(state, job_type, start, stop, order)

    def types(self) -> list[str]:
        return self._read.types()

    def work_time(self) -> int | None:
        return self._read.work_time()

    def close(self) -> None:
        """Release blocked claims empty-handed; the caller's client stays open."""
        with self._lock:
            self._closed = True
        give_up = time.monotonic() + _CLOSE_GRACE
        while time.monotonic() < give_up:
            with self._lock:
                waiting = list(self._waiting.values())
            if not waiting:
                break
            for client_id in waiting:  # a BLPOP not yet arrived is woken on the next round
                self._client.client_unblock(client_id)
            time.sleep(0.005)
        if self._owns_blocking:
            self._blocking_pool.disconnect()

    # -- test helpers (not part of the port) -----------------------------------------------
    def snapshot_indexes(self) -> dict[str, ZSetItems]:
        """Every non-empty sorted set under its Kue key name, as (member, score) pairs."""
        return self._read.snapshot()

    def token_count(self, job_type: str) -> int:
        """How many wake-up tokens the type's list holds."""
        return int(self._read.call("LLEN", self._keys.tokens(job_type)))

    # -- internals -------------------------------------------------------------------------
    def _decoded(self, job_id: int, raw: RawPairs | None) -> JobRecord | None:
        return None if raw is None else codec.decode(job_id, raw)

    def _wait_for_token(self, tokens_key: str, timeout: float) -> None:
        """Block until a token arrives, `timeout` passes or `close()` wakes us."""
        conn = self._blocking_pool.get_connection()
        try:
            conn.send_command("CLIENT", "ID")  # type: ignore[no-untyped-call]
            client_id = int(conn.read_response())
            with self._lock:
                if self._closed:
                    return
                self._waiting[id(conn)] = client_id
            wait = f"{max(timeout, 0.001):.3f}"
            conn.send_command("BLPOP", tokens_key, wait)  # type: ignore[no-untyped-call]
            conn.read_response()
        except redis.ConnectionError:
            if not self._closed:
                raise
        finally:
            with self._lock:
                self._waiting.pop(id(conn), None)
            self._blocking_pool.release(conn)


def _pool_like(pool: Any) -> redis.ConnectionPool:
    """A new pool with the same connection options, for connections that block."""
    options = dict(pool.connection_kwargs)
    options["socket_timeout"] = None  # a BLPOP may outlast any read timeout
    return redis.ConnectionPool(connection_class=pool.connection_class, **options)


#: Hash field of each `JobRecord` attribute a re-save may change.
_CHANGED_FIELDS = {
    "priority": "priority",
    "max_attempts": "max_attempts",
    "remove_on_complete": "removeOnComplete",
    "remove_on_fail": "removeOnFail",
    "delay_ms": "delay",
    "ttl_ms": "ttl",
    "backoff": "backoff",
    "data": "data",
}
_PLAIN = ("priority", "max_attempts", "remove_on_complete", "remove_on_fail", "delay_ms")


def _changed_fields(changes: Changes) -> tuple[dict[str, str], list[str]]:
    """Hash fields to set and to delete for a re-save, encoded by the codec itself."""
    values: dict[str, Any] = {
        n: getattr(changes, n) for n in _PLAIN if getattr(changes, n) is not None
    }
    if changes.ttl_ms is not None:
        values["ttl_ms"] = changes.ttl_ms or None
    if changes.backoff_set:
        values["backoff"] = changes.backoff
    data = changes.data if changes.replace_data else None
    encoded = codec.encode_record(JobRecord(0, "-", data, State.INACTIVE, **values))
    names = [*values, "data"] if changes.replace_data else list(values)
    fields = [_CHANGED_FIELDS[name] for name in names]
    sets = {field: encoded[field] for field in fields if field in encoded}
    dels = [field for field in fields if field not in encoded]
    return sets, dels
