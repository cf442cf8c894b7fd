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

Blocking pops run on connections of their own (`blocking.BlockingPops`: the blocking client's
pool, or on a cluster the pool of the node owning the token list); `close()` wakes them with
`CLIENT UNBLOCK`.

Redis Cluster: every key of the queue must carry the prefix's `{hash tag}` (see
`Keys.for_cluster`), so each script, pipeline and multi-key command stays in one slot; a
cluster client with an untagged prefix is refused here rather than failing with CROSSSLOT.
"""

from __future__ import annotations

import itertools
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from redis.cluster import RedisCluster

from kueport.adapters.clock import SystemClock
from kueport.adapters.redis import codec, event_codec, hash_writing, json_text
from kueport.adapters.redis.blocking import BlockingPops
from kueport.adapters.redis.claims import RedisClaims
from kueport.adapters.redis.connection import TRANSIENT_ERRORS, RedisClient, is_cluster
from kueport.adapters.redis.enqueue_scripts import EnqueueRow, enqueue_row
from kueport.adapters.redis.keys import InvalidPrefix, Keys
from kueport.adapters.redis.operations import RedisOperations
from kueport.adapters.redis.reading import Reader, RedisReading
from kueport.adapters.redis.script_replies import RawPairs
from kueport.adapters.redis.scripts import Scripts
from kueport.adapters.redis.worker_codec import decode_worker, encode_worker
from kueport.domain.errors import InvalidConnectionSettings, JobNotFound
from kueport.domain.events import JobEvent
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.json_values import storable_text
from kueport.domain.retention import cleanable, select_victims
from kueport.domain.retry import FailurePlan
from kueport.domain.stall import StallPlan
from kueport.domain.state import ALLOWED_MOVES, State
from kueport.domain.workers import WorkerInfo
from kueport.ports.clock import Clock
from kueport.ports.storage import Changes, EnqueueBatch


class RedisStorage(RedisClaims, RedisReading, RedisOperations):
    """`JobStorage` on one Redis (or one cluster slot, with a `{hash-tag}` prefix)."""

    #: Every write is a round trip: a second batch may go out while one is on its way.
    writes_wait = True
    transient_errors = TRANSIENT_ERRORS

    def __init__(
        self,
        client: RedisClient,
        keys: Keys,
        clock: Clock,
        blocking_client: RedisClient | None = None,
    ) -> None:
        """`blocking_client` serves blocking pops only (the composition root builds one);
        without it, they get a new pool with `client`'s options (a plain client only)."""
        _check_slots(client, keys, blocking_client)
        self._client = client
        self._keys = keys
        self._clock = clock
        # A lease only has to differ from every other lease of the same job: a random
        # 64-bit prefix per storage and a counter are unique and cost far less than uuid4.
        self._lease_prefix = uuid.uuid4().hex[:16]
        self._lease_numbers = itertools.count(1)
        self._scripts = Scripts(client, keys)
        self._read = Reader(client, keys)
        #: A claim behind a blocking pop stamps its jobs with the server's clock moved onto
        #: this machine's (`blocking.py`): only a storage on the system's clock may send it.
        self._claims_behind_pops = isinstance(clock, SystemClock)
        if blocking_client is not None:
            self._blocking = BlockingPops(blocking_client)
        elif isinstance(client, RedisCluster):
            self._blocking = BlockingPops(client)  # node pools; BLPOPs hold a connection each
        else:
            self._blocking = BlockingPops.beside(client)

    # -- producers -------------------------------------------------------------------------
    def enqueue(self, spec: JobSpec, now: int, announce: bool = False) -> JobRecord:
        row = enqueue_row(spec, now)
        job_id = self._scripts.enqueue(*row, announce=announce)
        return hash_writing.new_record(job_id, spec, now, row[4])  # what decoding the hash gives

    def enqueue_many(
        self, specs: Sequence[JobSpec], now: int, announce: Sequence[bool] = ()
    ) -> list[JobRecord]:
        """`announce[i]`: the script publishes job i's `enqueue` itself (default: none)."""
        rows = [enqueue_row(spec, now) for spec in specs]
        ids = self._scripts.enqueue_many(rows, announce)
        return [
            hash_writing.new_record(job_id, spec, now, row[4])
            for job_id, spec, row in zip(ids, specs, rows, strict=True)
        ]

    def enqueue_batches(
        self,
        batches: Iterable[EnqueueBatch],
        on_stored: Callable[[EnqueueBatch, list[JobRecord]], None],
    ) -> None:
        sent: deque[tuple[EnqueueBatch, list[EnqueueRow]]] = deque()

        def rows() -> Iterator[tuple[list[EnqueueRow], Sequence[bool]]]:
            for batch in batches:
                batch_rows = [enqueue_row(spec, batch.now) for spec in batch.specs]
                sent.append((batch, batch_rows))
                yield batch_rows, batch.announce

        def stored(ids: list[int]) -> None:
            batch, batch_rows = sent.popleft()
            records = [
                hash_writing.new_record(job_id, spec, batch.now, row[4])
                for job_id, spec, row in zip(ids, batch.specs, batch_rows, strict=True)
            ]
            on_stored(batch, records)

        self._scripts.enqueue_batches(rows(), stored)

    def update(self, job_id: int, changes: Changes, now: int) -> JobRecord:
        sets, dels = hash_writing.changed_fields(changes)
        raw = self._scripts.update(job_id, now, changes.priority, changes.delay_ms, sets, dels)
        return codec.decode(job_id, raw)

    # -- workers (claims and completions: `RedisClaims`) ---------------------------------
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
        error = storable_text(error)  # an undecodable file name's lone surrogates, escaped
        remove = plan.remove and plan.next_state is State.FAILED
        steps = (plan.attempts, plan.next_state, plan.delay_ms, plan.promote_at, remove)
        first_line = error.partition("\n")[0]  # Kue logs the error's first line
        messages = [event_codec.encode_event(event) for event in announce]
        raw = self._scripts.fail(
            job_id, lease, now, (error, first_line), steps, messages, max_log_lines
        )
        return self._decoded(job_id, raw)

    def recover_stalled(
        self,
        job_id: int,
        lease: str,
        plan: StallPlan,
        note: str,
        now: int,
        max_log_lines: int = 0,
    ) -> JobRecord | None:
        scripts = self._scripts
        if plan.failure is None:
            raw = scripts.requeue_stalled(job_id, lease, plan.stalled, note, now, max_log_lines)
            return codec.decode(job_id, raw)
        f = plan.failure
        steps = (f.attempts, f.next_state, f.delay_ms, f.promote_at, f.remove)
        error = (note, note.partition("\n")[0])
        raw_failed = scripts.fail_stalled(job_id, lease, now, error, steps, max_log_lines)
        return self._decoded(job_id, raw_failed)

    def beat(self, info: WorkerInfo, expires_at: int) -> None:
        self._scripts.worker_beat(info.worker_id, info.last_seen, expires_at, encode_worker(info))

    def forget_worker(self, worker_id: str) -> None:
        self._scripts.worker_beat(worker_id, self._clock.now_ms(), None, "")

    def live_workers(self, now: int) -> list[WorkerInfo]:
        found_ids: Any = self._client.zrangebyscore(self._keys.workers, now, "+inf")
        ids = [text for text in found_ids if isinstance(text, bytes | str)]
        if not ids:
            return []
        raws = self._client.hmget(self._keys.worker_info, ids)
        found = [decode_worker(raw) for raw in raws if raw is not None]
        return sorted((w for w in found if w is not None), key=lambda w: w.worker_id)

    def renew_lease(self, job_id: int, lease: str, until: int) -> bool:
        return bool(lease) and self._scripts.renew_lease(job_id, lease, until)

    def set_progress(
        self, job_id: int, lease: str | None, percent: int, data: JSONValue, now: int
    ) -> JobRecord:
        data_json = "" if data is None else json_text.encode_data(data, "progress data")
        return codec.decode(
            job_id, self._scripts.set_progress(job_id, lease, percent, data_json, now)
        )

    def append_log(self, job_id: int, line: str, now: int, max_lines: int = 0) -> None:
        self._scripts.append_log(job_id, line, now, max_lines)

    # -- maintenance -----------------------------------------------------------------------
    def promote_due(self, now: int, limit: int) -> list[JobRecord]:
        if limit <= 0:
            return []
        return [codec.decode(job_id, raw) for job_id, raw in self._scripts.promote_due(now, limit)]

    def lease_expired(self, now: int, limit: int) -> list[JobRecord]:
        """Also forgets the leases of jobs deleted under their worker (`_drop_lost_leases`)."""
        self._drop_lost_leases(now)
        return self._read.lease_expired(now, limit)

    def reconcile_tokens(self) -> int:
        return sum(self._scripts.sync_tokens(t) for t in sorted(self._read.inactive_types()))

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
        """Selects in Python from one read of the state's `updated_at`s (a pipelined read,
        never a long-running script), then `clean.lua` removes each chosen job atomically,
        only if it is still in the state with the `updated_at` that was read."""
        cleanable(state)
        candidates = self._read.updated_at(state, job_type)
        victims = select_victims(
            [(job_id, at) for job_id, (at, _) in candidates.items()],
            keep=keep,
            older_than=older_than,
            limit=limit,
            now=now,
        )
        if not victims:
            return []
        chosen = [(job_id, candidates[job_id][1]) for job_id, _ in victims]
        removed = []
        for job_id, raw in self._scripts.clean(state, chosen):
            try:
                removed.append(codec.decode(job_id, raw))
            except codec.InvalidJobHash:
                continue  # removed all the same; there was no readable job to return
        return removed

    # -- people ----------------------------------------------------------------------------
    def move(self, job_id: int, state: State, now: int, promote_at: int | None = None) -> JobRecord:
        # A hash kueport cannot read (Kue's invalid jobs: an unknown priority name, a state
        # of its own) is refused before the script writes anything: one more read, on moves
        # made by hand only.
        if self._read.get(job_id) is None:
            raise JobNotFound(job_id)
        sources = [s for s in State if s is state or state in ALLOWED_MOVES[s]]
        return codec.decode(job_id, self._scripts.move(job_id, state, now, promote_at, sources))

    def remove(self, job_id: int) -> JobRecord | None:
        return self._read.decode(job_id, self._scripts.remove(job_id))  # removed even if unreadable

    def close(self) -> None:
        """Release blocked claims empty-handed; the caller's clients stay open."""
        self._blocking.close()

    # -- internals -------------------------------------------------------------------------
    def _decoded(self, job_id: int, raw: RawPairs | None) -> JobRecord | None:
        return None if raw is None else codec.decode(job_id, raw)


def _check_slots(client: RedisClient, keys: Keys, blocking: RedisClient | None) -> None:
    """On a cluster, refuse keys that would hash to several slots (CROSSSLOT at run time)."""
    clustered = {is_cluster(c) for c in (client, blocking) if c is not None}
    if len(clustered) > 1:
        raise InvalidConnectionSettings(
            "the command and blocking clients must both be Redis Cluster clients, or neither"
        )
    if clustered == {True} and keys.hash_tag is None:
        raise InvalidPrefix(
            f"prefix {keys.prefix!r} has no {{hash tag}}: on Redis Cluster every key of a queue "
            "must share one slot; use Keys.for_cluster(prefix), which wraps it as "
            f"{{{keys.prefix}}}"
        )
