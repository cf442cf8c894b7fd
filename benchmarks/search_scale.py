"""Search at scale on Redis: bytes per indexed job and query times at 100,000 indexed jobs.

    .venv/bin/python -m benchmarks.search_scale [--jobs 100000] [--compare 10000]

Starts its own throwaway redis-server (as the test suite does). Steps:

1. Enqueue `--compare` jobs, index them: the index's bytes per job (INFO `used_memory` delta,
   cross-checked with `MEMORY USAGE ... SAMPLES 0` summed over every search key).
2. For the same jobs, build the rejected alternative (a posting zset per *prefix* of every
   word, 1..len, plus one per stem) with plain ZADDs and measure it the same way.
3. Enqueue and index up to `--jobs`, move every 10th job to complete, then time queries
   (median and max of `REPEAT` calls of `RedisSearchIndex.query`, round trip included).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import redis

from benchmarks.search_corpus import TYPES, job_data
from kueport.adapters.clock import SystemClock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.search import WALK_BUDGET, RedisSearchIndex
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobSpec
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.search_text import data_json, stem, words
from tests.redis_server import RedisServer

REPEAT = 30
QUERIES: list[tuple[str, dict[str, object]]] = [
    ("welcome", {}),
    ("user4242", {}),
    ("welcome invoice", {}),
    ("welcome invoice report", {}),
    ("welc", {}),
    ("re", {}),
    ("welcome", {"job_type": "email"}),
    ("welcome", {"state": State.COMPLETE}),
    ("welcome", {"job_type": "email", "state": State.COMPLETE}),
    ("welcome rep", {"job_type": "report", "state": State.INACTIVE}),
]


def used(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def key_bytes(client: redis.Redis, pattern: str) -> int:
    pipe = client.pipeline(transaction=False)
    count = 0
    for key in client.scan_iter(match=pattern, count=5000):
        pipe.memory_usage(key, samples=0)
        count += 1
    return sum(int(n or 0) for n in pipe.execute()) if count else 0


def enqueue(storage: RedisStorage, start: int, stop: int) -> list[int]:
    ids = []
    for i in range(start, stop):
        spec = JobSpec(type=TYPES[i % len(TYPES)], data=job_data(i))
        ids.append(storage.enqueue(spec, 0).id)
    return ids


def index_all(index: RedisSearchIndex, ids: list[int], start: int) -> float:
    """Index the jobs enqueued from `start`; returns the seconds it took."""
    began = time.perf_counter()
    for offset, job_id in enumerate(ids):
        i = start + offset
        index.index(job_id, TYPES[i % len(TYPES)], [data_json(job_data(i))])
    return time.perf_counter() - began


def prefix_alternative(client: redis.Redis, head: str, n: int) -> None:
    """The design not taken: one posting per prefix of every word, and one per stem."""
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        member = zid(i + 1)
        found = set(words(data_json(job_data(i))))
        for word in found:
            for cut in range(1, len(word) + 1):
                pipe.zadd(f"{head}p:{word[:cut]}", {member: i + 1})
            pipe.zadd(f"{head}s:{stem(word)}", {member: i + 1})
        pipe.set(f"{head}job:{i + 1}", " ".join(found))
        if i % 500 == 0:
            pipe.execute()
    pipe.execute()


def drop(client: redis.Redis, pattern: str) -> None:
    for key in client.scan_iter(match=pattern, count=5000):
        client.unlink(key)


def timed(call: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=10_000)
    parser.add_argument("--skip-alternative", action="store_true")
    parser.add_argument("--walk-budget", type=int, default=WALK_BUDGET, help="0: no walk")
    opts = parser.parse_args()
    n, total = opts.compare, opts.jobs
    with RedisServer.start() as server:
        client = server.client()
        keys = Keys("bench")
        storage = RedisStorage(client, keys, SystemClock())
        index = RedisSearchIndex(client, keys, walk_budget=opts.walk_budget)
        index.index(0, "warm", [])  # loads the script
        base = used(client)
        ids = enqueue(storage, 0, n)
        jobs_bytes = used(client) - base
        before = used(client)
        seconds = index_all(index, ids, 0)
        ours = used(client) - before
        by_keys = key_bytes(client, keys.search_head + "*")
        print(
            f"{n} jobs: jobs alone {jobs_bytes / n:.0f} B/job; index {ours / n:.0f} B/job "
            f"(used_memory), {by_keys / n:.0f} B/job (MEMORY USAGE); "
            f"indexing {seconds / n * 1e6:.0f} us/job"
        )
        if not opts.skip_alternative:
            before = used(client)
            prefix_alternative(client, "alt:", n)
            alt = used(client) - before
            print(
                f"{n} jobs: stored-prefix alternative {alt / n:.0f} B/job (used_memory), "
                f"{key_bytes(client, 'alt:*') / n:.0f} B/job (MEMORY USAGE)"
            )
        drop(client, "alt:*")

        more = enqueue(storage, n, total)
        before = used(client)
        seconds += index_all(index, more, n)
        ours += used(client) - before
        for job_id in [*ids, *more][::10]:
            storage.move(job_id, State.COMPLETE, 0)
        by_keys = key_bytes(client, keys.search_head + "*")
        print(
            f"{total} jobs: index {ours / total:.0f} B/job (used_memory), "
            f"{by_keys / total:.0f} B/job (MEMORY USAGE), {by_keys / 2**20:.1f} MiB in all; "
            f"indexing {seconds / total * 1e6:.0f} us/job"
        )
        exhaustive = RedisSearchIndex(client, keys, walk_budget=0)
        print("| query | filters | ids | walk then fallback: median / max ms | ZINTERSTORE only |")
        for text, filters in QUERIES:
            found = index.query(text, limit=50, **filters)  # type: ignore[arg-type]
            assert found == exhaustive.query(text, limit=50, **filters)  # type: ignore[arg-type]
            walk = timed(lambda t=text, f=filters: index.query(t, **f))  # type: ignore[misc]
            full = timed(lambda t=text, f=filters: exhaustive.query(t, **f))  # type: ignore[misc]
            shown = ", ".join(f"{k}={getattr(v, 'value', v)}" for k, v in filters.items())
            print(
                f"| {text!r} | {shown} | {len(found)} | {walk[0]:.2f} / {walk[1]:.2f} "
                f"| {full[0]:.2f} / {full[1]:.2f} |"
            )
        client.close()


if __name__ == "__main__":
    main()
