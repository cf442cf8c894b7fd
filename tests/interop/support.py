"""What both sides of the interop tests share: the worker rule, job specs and the key dump.

The worker rule is the one `node/process_jobs.js` follows, so a scenario run by a Node worker
and by a kueport worker must leave the same data behind:

    made = attempts made before this run
    data.fail_times > made  ->  fail with Error(data.message or "boom")
    "result" in data        ->  complete with data["result"]
    otherwise               ->  complete with {"handled_by": <side>, "echo": data}
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import redis

import kueport
from kueport.adapters.redis.keys import glob_escape
from kueport.job import Job
from kueport.queue import Queue

QueueFactory = Callable[..., Queue]


class QueueMaker:
    """`maker(prefix, **options)`: kueport queues on one Redis, with quick maintenance."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.made: list[Queue] = []

    def __call__(self, prefix: str, **options: Any) -> Queue:
        options.setdefault("maintenance_interval", 0.05)  # promotes delayed jobs quickly
        options.setdefault("claim_timeout", 0.1)  # lets shutdown return quickly
        queue = kueport.create_queue(redis=self.redis_url, prefix=prefix, **options)
        self.made.append(queue)
        return queue

    def shutdown_all(self) -> None:
        for queue in self.made:
            if not queue.closed:
                queue.shutdown(timeout=0)


class Error(Exception):
    """Raised by the kueport worker: its stored error starts `Error: <message>`, as Node's."""


class Runs:
    """What a kueport worker following the rule saw, one entry per run (thread-safe)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def handler(self, side: str = "kueport") -> Callable[[Job], Any]:
        def handle(job: Job) -> Any:
            record = job.record
            assert record is not None
            made = record.attempts
            with self._lock:
                self.entries.append(
                    {
                        "id": job.id,
                        "type": job.type,
                        "data": job.data,
                        "priority": record.priority,
                        "attempts_made": made,
                        "max_attempts": record.max_attempts,
                        "created_at": record.created_at,
                        "promote_at": record.promote_at,
                        "failed_at": record.failed_at,
                        "started_at": record.started_at,
                        "delay": record.delay_ms or None,
                        "worker": side,
                    }
                )
            data = job.data if isinstance(job.data, dict) else {}
            if data.get("fail_times", 0) > made:
                raise Error(data.get("message", "boom"))
            if "result" in data:
                return data["result"]
            return {"handled_by": side, "echo": data}

        return handle

    def ids(self) -> list[int]:
        with self._lock:
            return [entry["id"] for entry in self.entries]


def save_specs(queue: Queue, specs: Iterable[dict[str, Any]]) -> list[Job]:
    """Save Node-style job specs (times in ms, Kue's option names) with kueport, in order."""
    jobs = []
    for spec in specs:
        job = queue.create(spec["type"], spec.get("data"))
        if "priority" in spec:
            job.priority(spec["priority"])
        if "attempts" in spec:
            job.attempts(spec["attempts"])
        if "delay" in spec:
            job.delay(spec["delay"] / 1000)
        if "backoff" in spec:
            job.backoff(spec["backoff"])
        if "ttl" in spec:
            job.ttl(spec["ttl"] / 1000)
        if "removeOnComplete" in spec:
            job.remove_on_complete(spec["removeOnComplete"])
        jobs.append(job.save())
    return jobs


def exponential_ms(delay: int, attempts: int, max_delay: float = float("inf")) -> int:
    """Kue's exponential backoff (job.js), written out independently of kueport's code."""
    value = min(max_delay - delay * 0.5, delay * 0.5 * (2**attempts - 1))
    return int(value + 0.5)  # Math.round on a positive number


# -- key dump -------------------------------------------------------------------------------
Dump = dict[str, tuple[str, Any]]


def dump_keys(client: redis.Redis, prefix: str) -> Dump:
    """Every key under `prefix:` with its type and value; the prefix is replaced by `P`.

    `client` must decode responses (str). Zsets are (member, score) pairs in zset order, sets
    sorted lists, hashes dicts, lists and strings as stored.
    """
    out: Dump = {}
    for key in client.scan_iter(match=glob_escape(prefix) + ":*", count=1000):
        name = "P" + key[len(prefix) :]
        kind = client.type(key)
        value: Any
        if kind == "hash":
            value = client.hgetall(key)
        elif kind == "zset":
            value = [
                (member, score) for member, score in client.zrange(key, 0, -1, withscores=True)
            ]
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "string":
            value = client.get(key)
        else:
            raise AssertionError(f"unexpected key type {kind!r} for {key!r}")
        out[name] = (kind, value)
    return out


#: Keys only kueport writes, all under `P:kueport:` (see kueport.adapters.redis.keys):
#: `P:kueport:leases`, `P:kueport:workers`, `P:kueport:worker-info`, `P:kueport:paused-types`
#: and the per-minute throughput counters `P:kueport:throughput:<minute>:complete|failed`.
#: Node Kue never reads them.
KUEPORT_ONLY_KEYS = re.compile(
    r"^P:kueport:(leases|workers|worker-info|paused-types|throughput:[0-9]+:(complete|failed))$"
)
#: Hash fields only kueport writes (kueport.adapters.redis.codec.KUEPORT_FIELDS; Node Kue
#: ignores them): `lease`, `lease_until` (the worker's hold on an active job), `ttl_expires_at`
#: (TTL deadline), `removeOnFail`, `searchKeys` (options Kue does not have), `stalled` (how
#: often the job was found stalled). `test_key_dump` checks this list against the codec.
KUEPORT_ONLY_FIELDS = frozenset(
    {"lease", "lease_until", "ttl_expires_at", "removeOnFail", "searchKeys", "stalled"}
)

#: Token lists `P:<type>:jobs` (every list key ending in `:jobs` except the `P:jobs` zset).
TOKEN_LIST = re.compile(r"^P:(?P<type>.+):jobs$")
_JOB_HASH = re.compile(r"^P:job:[0-9]+$")
_TIMESTAMP_FIELDS = ("created_at", "updated_at", "started_at", "failed_at", "promote_at")


def split_tokens(dump: Dump) -> tuple[Dump, dict[str, int]]:
    """The dump without token lists, and the length of each type's token list.

    Deliberate difference ("what we fix" in the Kue reference): Kue's token count drifts (a
    worker shutdown pushes 1-2 surplus tokens, so after a Node run `P:email:jobs` holds tokens
    for no job), while kueport keeps exactly one token per inactive job. Token lists are
    therefore compared by `check_tokens`, not byte for byte.
    """
    rest: Dump = {}
    tokens: dict[str, int] = {}
    for name, (kind, value) in dump.items():
        match = TOKEN_LIST.match(name)
        if match and kind == "list":
            assert set(value) <= {"1"}, f"{name} holds something other than tokens: {value}"
            tokens[match["type"]] = len(value)
        else:
            rest[name] = (kind, value)
    return rest, tokens


def inactive_counts(dump: Dump) -> dict[str, int]:
    """ZCARD of every `P:jobs:<type>:inactive` in the dump, by type."""
    counts = {}
    for name, (kind, value) in dump.items():
        match = re.match(r"^P:jobs:(?P<type>.+):inactive$", name)
        if match and kind == "zset":
            counts[match["type"]] = len(value)
    return counts


def normalise(dump: Dump, *, kueport: bool) -> Dump:
    """Replace what differs between any two runs (times, durations, worker ids, stacks).

    * job hashes: `created_at`, `updated_at`, `started_at`, `failed_at`, `promote_at` ->
      "<ts>"; `duration` -> "<ms>"; `workerId` -> "<worker>"; `error` -> its first line
      (Node stores the JavaScript stack, kueport the Python traceback; the first line is
      `Error: <message>` on both sides);
    * `P:jobs:delayed` scores (promote_at) -> "<ts>"; `P:jobs:active` scores above 100000
      (TTL deadlines) -> "<ts>";
    * `P:stats:work-time` (a sum of durations) -> "<ms>";
    * with `kueport=True`, the allow-listed kueport-only keys and fields are dropped (and
      only from kueport's dump: Node Kue must never write them).
    """
    out: Dump = {}
    for name, (kind, value) in dump.items():
        if kueport and KUEPORT_ONLY_KEYS.match(name):
            continue
        if kind == "hash" and _JOB_HASH.match(name):
            value = _normalise_job(value, kueport=kueport)
        elif kind == "zset" and name == "P:jobs:delayed":
            value = [(member, "<ts>") for member, _ in value]
        elif kind == "zset" and name == "P:jobs:active":
            value = [(member, "<ts>" if score > 100000 else score) for member, score in value]
        elif name == "P:stats:work-time":
            value = "<ms>"
        out[name] = (kind, value)
    return out


def _normalise_job(fields: dict[str, str], *, kueport: bool) -> dict[str, str]:
    job = dict(fields)
    if kueport:
        for field in KUEPORT_ONLY_FIELDS:
            job.pop(field, None)
    for field in _TIMESTAMP_FIELDS:
        if field in job:
            assert job[field].isdigit(), f"{field}={job[field]!r} is not integer ms"
            job[field] = "<ts>"
    if "duration" in job:
        assert job["duration"].isdigit(), f"duration={job['duration']!r} is not integer ms"
        job["duration"] = "<ms>"
    if "workerId" in job:
        job["workerId"] = "<worker>"
    if "error" in job:
        job["error"] = job["error"].split("\n", 1)[0]
    return job


# -- raw event tap ----------------------------------------------------------------------------
class EventTap:
    """Every raw message on `P:events`, as published, read by a plain redis-py subscriber."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._channel = f"{prefix}:events"
        # A private channel for the end marker: Redis delivers one connection's messages in
        # publishing order, so once the marker is back every earlier event has arrived.
        self._marker = f"{prefix}:interop-tap:{uuid.uuid4().hex}"
        self._pubsub = client.pubsub()
        self._pubsub.subscribe(self._channel, self._marker)
        confirmed = 0
        while confirmed < 2:  # nothing published after both confirmations can be missed
            message = self._pubsub.get_message(timeout=5)
            assert message is not None, "no SUBSCRIBE confirmation"
            confirmed += message["type"] == "subscribe"
        self.messages: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            message = self._pubsub.get_message(timeout=0.05)
            if message is None or message["type"] != "message":
                continue
            if message["channel"] == self._marker:
                self._done.set()
            else:
                self.messages.append(message["data"])

    def close(self, timeout: float = 10.0) -> list[str]:
        """Every message published before this call, in order; then stop listening."""
        self._client.publish(self._marker, "end")
        assert self._done.wait(timeout), "the end marker never came back"
        self._thread.join(timeout)
        self._pubsub.close()
        return list(self.messages)
