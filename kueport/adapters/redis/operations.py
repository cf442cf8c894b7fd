"""The Redis storage's operator actions: bulk retry and promotion (one script each, every job
moved atomically), pausing types (a kueport-only set the claim script reads) and the
per-minute throughput counters the complete and fail scripts increment; and the lease sweep's
clean-up of jobs deleted under their worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kueport.adapters.redis import codec
from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.script_replies import text
from kueport.adapters.redis.scripts import Scripts
from kueport.domain.job import JobRecord
from kueport.domain.ordering import strip_zid
from kueport.domain.state import State
from kueport.domain.throughput import COMPLETE, FAILED, MinuteCount


class RedisOperations:
    """Mixed into `RedisStorage`."""

    _client: RedisClient
    _keys: Keys
    _scripts: Scripts

    def retry_failed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        return self._to_inactive(State.FAILED, job_type, now, limit)

    def promote_delayed(self, job_type: str | None, now: int, limit: int) -> list[JobRecord]:
        return self._to_inactive(State.DELAYED, job_type, now, limit)

    def _to_inactive(
        self, state: State, job_type: str | None, now: int, limit: int
    ) -> list[JobRecord]:
        if limit <= 0:
            return []
        k = self._keys
        source = k.state(state) if job_type is None else k.type_state(job_type, state)
        moved = self._scripts.requeue_set(source, state, now, limit)
        return [codec.decode(job_id, raw) for job_id, raw in moved]

    def pause_type(self, job_type: str) -> None:
        self._call("SADD", self._keys.paused_types, job_type)

    def resume_type(self, job_type: str) -> None:
        self._call("SREM", self._keys.paused_types, job_type)

    def paused_types(self) -> set[str]:
        return {text(t) for t in self._call("SMEMBERS", self._keys.paused_types)}

    def throughput(self, minutes: Sequence[int]) -> list[MinuteCount]:
        if not minutes:
            return []
        k = self._keys
        names = [k.throughput(m, outcome) for m in minutes for outcome in (COMPLETE, FAILED)]
        values = [int(v or 0) for v in self._call("MGET", *names)]
        return [
            MinuteCount(minute, values[2 * i], values[2 * i + 1])
            for i, minute in enumerate(minutes)
        ]

    def _drop_lost_leases(self, now: int) -> int:
        """Forget the lease entries due by `now` whose job hash is gone; how many.

        Node Kue's `Job#remove` (its dashboard's delete) deletes a running job's hash but knows
        nothing of `P:kueport:leases`. The worker's completion drops the entry when it meets
        the missing job; a worker that died or gave up never comes back, and without this
        every sweep would read the missing job again, forever. `remove.lua` checks again that
        the hash is gone, in the same step, so a stored job is never touched."""
        members = self._call("ZRANGEBYSCORE", self._keys.leases, "-inf", now)
        if not members:
            return 0
        ids = [strip_zid(text(member)) for member in members]
        pipe = self._client.pipeline(transaction=False)
        for job_id in ids:
            pipe.exists(self._keys.job(job_id))
        gone = [job_id for job_id, found in zip(ids, pipe.execute(), strict=True) if not found]
        for job_id in gone:
            self._scripts.remove(job_id, only_if_gone=True)
        return len(gone)

    def _call(self, *args: Any) -> Any:
        return self._client.execute_command(*args)  # type: ignore[no-untyped-call]
