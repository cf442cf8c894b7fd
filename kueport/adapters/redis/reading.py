"""Read-only queries of the Redis storage: plain commands, no scripts (nothing moves).

Orders and counts come straight from Kue's sorted sets, so they match the memory adapter,
which sorts by the same (score, zid bytes). On Redis Cluster every key read here carries the
prefix's hash tag, so pipelines stay on one node and SCAN asks only the node owning the slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from redis.cluster import RedisCluster

from kueport.adapters.redis import codec
from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.keys import Keys, glob_escape
from kueport.adapters.redis.script_replies import RawPairs, pairs, text
from kueport.domain.job import JobRecord
from kueport.domain.ordering import TIMED_BASE, sort_key, strip_zid
from kueport.domain.state import State
from kueport.domain.ttl import lease_expired, ttl_exceeded
from kueport.ports.storage import Order

#: A zset's content as (member, score) pairs, in order (the memory adapter's `ZSetItems`).
ZSetItems = list[tuple[str, float]]


class Reader:
    """Reads jobs, logs, counts, orders and indexes of one queue."""

    def __init__(self, client: RedisClient, keys: Keys) -> None:
        self._client = client
        self._keys = keys

    def call(self, *args: Any) -> Any:
        """One Redis command (typed as Any: redis-py's own types mix sync and async)."""
        return self._client.execute_command(*args)  # type: ignore[no-untyped-call]

    def decode(self, job_id: int, raw: RawPairs) -> JobRecord | None:
        return codec.decode(job_id, raw) if raw else None

    def get(self, job_id: int) -> JobRecord | None:
        return self.decode(job_id, pairs(self.call("HGETALL", self._keys.job(job_id))))

    def load(self, job_ids: Iterable[int]) -> list[JobRecord]:
        """The stored jobs, in the given order; missing and unreadable hashes are skipped."""
        wanted = list(job_ids)
        pipe = self._client.pipeline(transaction=False)
        for job_id in wanted:
            pipe.hgetall(self._keys.job(job_id))
        found: list[JobRecord] = []
        for job_id, raw in zip(wanted, pipe.execute(), strict=True):
            try:
                record = self.decode(job_id, raw)
            except codec.InvalidJobHash:
                continue
            if record is not None:
                found.append(record)
        return found

    def logs(self, job_id: int) -> list[str]:
        return [text(line) for line in self.call("LRANGE", self._keys.log(job_id), 0, -1)]

    def count(self, state: State | None, job_type: str | None) -> int:
        if state is not None:
            return int(self.call("ZCARD", self._set_key(state, job_type)))
        if job_type is None:
            return int(self.call("ZCARD", self._keys.jobs))
        pipe = self._client.pipeline(transaction=False)
        for each in State:
            pipe.zcard(self._keys.type_state(job_type, each))
        return sum(int(n) for n in pipe.execute())

    def ids(self, state: State, job_type: str | None) -> list[int]:
        members = self.call("ZRANGE", self._set_key(state, job_type), 0, -1)
        return [strip_zid(text(m)) for m in members]

    def range(
        self, state: State | None, job_type: str | None, start: int, stop: int, order: Order
    ) -> list[JobRecord]:
        if state is None and job_type is not None:
            members = _rank_slice(self._all_of_type(job_type), start, stop)
        else:
            key = self._keys.jobs if state is None else self._set_key(state, job_type)
            members = [text(m) for m in self.call("ZRANGE", key, start, stop)]
        picked = sorted(self.load(strip_zid(m) for m in members), key=lambda r: r.id)
        return picked[::-1] if order == "desc" else picked

    def types(self) -> list[str]:
        return sorted(text(t) for t in self.call("SMEMBERS", self._keys.types))

    def work_time(self) -> int | None:
        raw = self.call("GET", self._keys.work_time)
        return None if raw is None else int(raw)

    def ttl_expired(self, now: int, limit: int) -> list[JobRecord]:
        # Active jobs without a TTL score -abs(priority) <= 0; with one, TIMED_BASE + deadline.
        active = self._keys.state(State.ACTIVE)
        members = self.call("ZRANGEBYSCORE", active, TIMED_BASE + 1, TIMED_BASE + now)
        candidates = self.load(strip_zid(text(m)) for m in members)
        return [r for r in candidates if ttl_exceeded(r, now)][: max(0, limit)]

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        members = self.call("ZRANGEBYSCORE", self._keys.leases, "-inf", now)
        expired = [r for r in self.load(strip_zid(text(m)) for m in members)]
        expired = [r for r in expired if lease_expired(r, now)]
        expired.sort(key=lambda r: (r.lease_until, r.id))
        return expired[: max(0, limit)]

    def updated_at(
        self, state: State, job_type: str | None = None, chunk: int = 1000
    ) -> dict[int, tuple[int, str]]:
        """Each job of the state: its `updated_at` as a number (0 when absent or unreadable,
        as the codec reads it) and as stored ('' when absent), read with pipelined HGETs."""
        ids = self.ids(state, job_type)
        found: dict[int, tuple[int, str]] = {}
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            pipe = self._client.pipeline(transaction=False)
            for job_id in part:
                pipe.hget(self._keys.job(job_id), "updated_at")
            for job_id, raw in zip(part, pipe.execute(), strict=True):
                stored = "" if raw is None else text(raw)
                found[job_id] = (_as_int(stored), stored)
        return found

    def inactive_types(self) -> set[str]:
        """Types with an inactive set (found with SCAN, never KEYS) or ever stored."""
        pattern = self._keys.scan_pattern_type_inactive()
        found = {self._keys.type_from_inactive_key(key) for key in self._scan(pattern)}
        return found | set(self.types())

    def snapshot(self) -> dict[str, ZSetItems]:
        """Every non-empty sorted set of jobs under its key name without the prefix."""
        cut = len(self._keys.prefix) + 1
        jobs = self._keys.jobs
        keys = [k for k in self._scan(glob_escape(jobs) + "*", "zset") if _is_index(k, jobs)]
        return {key[cut:]: self._items(key) for key in sorted(keys)}

    # -- internals -------------------------------------------------------------------------
    def _set_key(self, state: State, job_type: str | None) -> str:
        if job_type is None:
            return self._keys.state(state)
        return self._keys.type_state(job_type, state)

    def _items(self, key: str) -> ZSetItems:
        flat = self.call("ZRANGE", key, 0, -1, "WITHSCORES")
        if flat and isinstance(flat[0], list | tuple):  # RESP3 replies pairs
            return [(text(m), float(s)) for m, s in flat]
        return [(text(m), float(s)) for m, s in zip(flat[::2], flat[1::2], strict=True)]

    def _all_of_type(self, job_type: str) -> list[str]:
        """The type's jobs in the all-jobs order: every per-type set scores by priority."""
        items = [i for s in State for i in self._items(self._keys.type_state(job_type, s))]
        return [m for m, _ in sorted(items, key=lambda item: sort_key(item[1], item[0]))]

    def _scan(self, pattern: str, kind: str | None = None) -> list[str]:
        """SCAN (never KEYS); on a cluster only the node that owns the queue's slot."""
        client = self._client
        if isinstance(client, RedisCluster):
            node = client.get_node_from_key(self._keys.jobs)  # type: ignore[no-untyped-call]
            found = client.scan_iter(match=pattern, count=500, _type=kind, target_nodes=node)
        else:
            found = client.scan_iter(match=pattern, count=500, _type=kind)
        return [text(key) for key in found]


def _as_int(raw: str) -> int:
    """A stored time as the codec reads it (0 when absent or unreadable)."""
    try:
        return int(raw) if raw.isdigit() else round(float(raw))
    except (ValueError, OverflowError):
        return 0


def _is_index(key: str, jobs: str) -> bool:
    return key == jobs or key.startswith(jobs + ":")


def _rank_slice(items: Sequence[str], start: int, stop: int) -> list[str]:
    """ZRANGE's ranks: inclusive `stop`, negatives counted from the end."""
    size = len(items)
    start = max(0, start + size if start < 0 else start)
    stop = stop + size if stop < 0 else stop
    if start > stop or start >= size:
        return []
    return list(items[start : stop + 1])


class RedisReading:
    """Mixed into `RedisStorage`: the port's reads, answered by its `Reader`."""

    _read: Reader
    _keys: Keys

    def get(self, job_id: int) -> JobRecord | None:
        return self._read.get(job_id)

    def get_many(self, job_ids: Sequence[int]) -> list[JobRecord]:
        return self._read.load(job_ids)

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

    def ttl_expired(self, now: int, limit: int) -> list[JobRecord]:
        return self._read.ttl_expired(now, limit)

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        return self._read.lease_expired(now, limit)

    # -- test helpers (not part of the port) -----------------------------------------------
    def snapshot_indexes(self) -> dict[str, ZSetItems]:
        """Every non-empty sorted set under its Kue key name, as (member, score) pairs."""
        return self._read.snapshot()

    def token_count(self, job_type: str) -> int:
        """How many wake-up tokens the type's list holds."""
        return int(self._read.call("LLEN", self._keys.tokens(job_type)))
