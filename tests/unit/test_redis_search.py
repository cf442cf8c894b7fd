"""The Redis search index beyond the contract: its keys, and that the scripts deleting jobs
delete their index entries themselves (even from a queue that has search switched off)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import redis
from redis.crc import key_slot

from kueport import ManualClock, Queue, create_queue
from kueport.adapters.memory import MemorySearchIndex
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.search import RedisSearchIndex
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobSpec
from kueport.domain.ordering import zid
from kueport.domain.state import State
from kueport.failures import Failure
from kueport.ports.storage import Claim
from tests.conftest import unique_prefix
from tests.redis_server import RedisServer


@pytest.fixture
def pair(redis_server: RedisServer, clock: ManualClock) -> Iterator[tuple[Queue, Queue]]:
    """Two queues on one prefix: a producer with search, a worker without (the default)."""
    prefix = unique_prefix()
    options = {"redis": redis_server.url, "prefix": prefix, "clock": clock}
    producer = create_queue(disable_search=False, **options)  # type: ignore[arg-type]
    worker = create_queue(**options)  # type: ignore[arg-type]
    yield producer, worker
    for queue in (producer, worker):
        queue.shutdown(timeout=0)


def search_keys(redis_client: redis.Redis) -> list[str]:
    return sorted(k.decode() for k in redis_client.scan_iter(match="*kueport:search:*", count=1000))


def test_a_worker_without_search_still_deletes_the_entries_of_jobs_it_removes(
    pair: tuple[Queue, Queue], redis_client: redis.Redis, clock: ManualClock
) -> None:
    """Kue leaked its index this way (#94): only the producer knew about search."""
    producer, worker = pair
    for job_type in ("done", "boom", "gone", "old"):
        job = producer.create(job_type, {"title": f"welcome {job_type}"})
        job.remove_on_complete(True).remove_on_fail(True).save()
    assert search_keys(redis_client) != []

    service = worker.service
    (done,) = service.claim(Claim("done", "w", lease_ms=5000), 0)
    service.complete(done, done.lease, None)
    (boom,) = service.claim(Claim("boom", "w", lease_ms=5000), 0)
    service.fail(boom, boom.lease, Failure.plain("boom"))
    worker.remove(producer.search("gone")[0])
    service.move(producer.search("old")[0], State.COMPLETE)
    assert worker.clean("complete") == 1

    assert producer.count() == 0
    assert search_keys(redis_client) == []


def test_the_index_lives_under_kueports_own_prefix_and_never_in_kues_search_keys(
    pair: tuple[Queue, Queue], redis_client: redis.Redis
) -> None:
    producer, _ = pair
    producer.create("email", {"title": "Welcome aboard", "n": 7}).save()

    prefix = producer.prefix + ":kueport:search:"
    found = search_keys(redis_client)
    assert found and all(k.startswith(prefix) for k in found)
    assert not any(k.endswith(":jobs") for k in found)
    assert list(redis_client.scan_iter(match=f"{producer.prefix}:search:*")) == []
    assert {prefix + "words", prefix + "refs", prefix + "job:1"} <= set(found)
    assert redis_client.zscore(prefix + "stem:welcom:ids", zid(1)) == 1.0


def test_a_job_deleted_behind_kueports_back_is_never_returned(
    pair: tuple[Queue, Queue], redis_client: redis.Redis
) -> None:
    """Node Kue removes jobs without knowing this index; results are checked against P:jobs."""
    producer, _ = pair
    kept = producer.create("email", {"title": "report"}).save()
    lost = producer.create("email", {"title": "report"}).save()
    assert lost.id is not None
    keys = Keys(producer.prefix)
    redis_client.delete(keys.job(lost.id))
    redis_client.zrem(keys.jobs, zid(lost.id))
    redis_client.zrem(keys.state(State.INACTIVE), zid(lost.id))

    assert producer.search("report") == [kept.id]
    assert producer.search("report", state="inactive") == [kept.id]


def test_indexed_ids_reads_the_ids_back_under_a_non_ascii_prefix(
    redis_server: RedisServer,
) -> None:
    """Keys come back as bytes: the id starts after the prefix's UTF-8 bytes, not its chars."""
    queue = create_queue(
        redis=redis_server.url, prefix="tâches-" + unique_prefix(), disable_search=False
    )
    try:
        first = queue.create("email", {"title": "été"}).save().id
        second = queue.create("email", {"title": "hiver"}).save().id

        assert sorted(queue.service.search.indexed_ids()) == [first, second]
    finally:
        queue.shutdown(timeout=0)


def test_every_search_key_of_a_cluster_prefix_shares_its_slot(
    redis_client: redis.Redis, clock: ManualClock
) -> None:
    keys = Keys.for_cluster(unique_prefix())
    storage = RedisStorage(redis_client, keys, clock)
    index = RedisSearchIndex(redis_client, keys)
    record = storage.enqueue(JobSpec(type="email", data={"title": "welcome home"}), 0)
    index.index(record.id, "email", ["welcome home"])

    found = search_keys(redis_client)
    assert found
    assert {key_slot(k.encode()) for k in found} == {key_slot(keys.jobs.encode())}
    assert index.query("welc") == [record.id]


def test_the_walk_and_the_exhaustive_intersection_agree_with_the_memory_index(
    redis_client: redis.Redis, clock: ManualClock
) -> None:
    """A differential check over random jobs, states and queries: the Redis index with its
    walk, with the walk giving up at once (budget 1), and with no walk, all return exactly
    what the memory index returns."""
    rng = random.Random(7)
    vocabulary = [
        "welcome",
        "weekly",
        "report",
        "reports",
        "running",
        "runner",
        "run",
        "late",
        "invoice",
        "ann",
        "bob",
    ]
    keys = Keys(unique_prefix())
    storage = RedisStorage(redis_client, keys, clock)
    states: dict[int, State] = {}
    memory = MemorySearchIndex(state_of=states.get)
    indexes = [RedisSearchIndex(redis_client, keys, walk_budget=b) for b in (4000, 1, 0)]
    for n in range(300):
        job_type = rng.choice(["email", "sms"])
        text = " ".join(rng.choices(vocabulary, k=rng.randint(1, 4)))
        record = storage.enqueue(JobSpec(type=job_type, data={"n": n}), 0)
        states[record.id] = rng.choice([State.INACTIVE, State.INACTIVE, State.COMPLETE])
        if states[record.id] is not State.INACTIVE:
            storage.move(record.id, states[record.id], 0)
        memory.index(record.id, job_type, [text])
        indexes[0].index(record.id, job_type, [text])
    queries = ["welcome", "report", "run", "runn", "we", "r", "late ann", "bob welcome rep"]
    for text in queries:
        for job_type in (None, "sms"):
            for state in (None, State.COMPLETE):
                for limit in (1, 7, 1000):
                    expected = memory.query(text, job_type=job_type, state=state, limit=limit)
                    for index in indexes:
                        got = index.query(text, job_type=job_type, state=state, limit=limit)
                        assert got == expected, (text, job_type, state, limit)
    assert any(memory.query(q, limit=1000) for q in queries)


def test_a_repair_keeps_the_entries_of_a_job_stored_but_unreadable_and_goes_on(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    """A hash something else damaged, under an id no state set lists: not gone, so its
    entries stay; the repair neither drops them nor stops on the unreadable hash."""
    queue = create_queue(redis=redis_server.url, prefix=unique_prefix(), disable_search=False)
    try:
        damaged = queue.create("email", {"title": "report"}).save().id
        gone = queue.create("email", {"title": "report"}).save().id
        assert damaged is not None and gone is not None
        keys = Keys(queue.prefix)
        for job_id in (damaged, gone):
            for key in (
                keys.jobs,
                keys.state(State.INACTIVE),
                f"{queue.prefix}:jobs:email:inactive",
            ):
                redis_client.zrem(key, zid(job_id))
        redis_client.hdel(keys.job(damaged), "type")  # unreadable now (Kue: "is invalid")
        redis_client.delete(keys.job(gone))

        repair = queue.reindex_search()

        assert repair.dropped == 1
        assert sorted(queue.service.search.indexed_ids()) == [damaged]
    finally:
        queue.shutdown(timeout=0)
