"""The enqueue lane: one connection kept for EVALSHA, as safe as redis-py's ordinary path.

Each test uses the session's redis-server with a fresh client and prefix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import event_codec
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.lane import FRESH_FOR, Lane
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobSpec
from kueport.domain.retry import plan_failure, plan_success
from kueport.domain.state import State
from kueport.ports.storage import Claim, EnqueueBatch
from tests.conftest import unique_prefix
from tests.redis_server import shared_server


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    client = shared_server().client()
    yield client
    client.close()


@pytest.fixture
def storage(client: redis.Redis) -> Iterator[RedisStorage]:
    storage = RedisStorage(client, Keys(unique_prefix()), ManualClock())
    yield storage
    storage.close()


def save(storage: RedisStorage, n: int = 0, job_type: str = "email") -> int:
    return storage.enqueue(JobSpec(job_type, {"n": n}), 1_700_000_000_000, announce=True).id


def lane_of(storage: RedisStorage) -> Lane:
    return storage._scripts._lane


def lane_connection_id(storage: RedisStorage) -> int:
    connection: Any = lane_of(storage)._connection
    connection.send_command("CLIENT", "ID")
    return int(connection.read_response())


def test_saves_share_one_connection_the_pool_lends_once(storage, client) -> None:
    assert [save(storage, n) for n in range(5)] == [1, 2, 3, 4, 5]
    pool: Any = client.connection_pool
    assert lane_of(storage)._connection in pool._in_use_connections
    assert len(pool._in_use_connections) == 1


def test_every_script_call_goes_over_the_lane(storage, client, monkeypatch) -> None:
    """Claims, completions, failures and moves take the kept connection too: nothing but
    the first load of each script (SCRIPT LOAD after NOSCRIPT) and the read a move by hand
    makes first (to refuse a hash it could not read back) takes the ordinary path."""
    ordinary: list[str] = []
    real = client.execute_command

    def spy(*args: Any, **options: Any) -> Any:
        ordinary.append(str(args[0]))
        return real(*args, **options)

    monkeypatch.setattr(client, "execute_command", spy)
    for n in range(3):
        save(storage, n)
    now = 1_700_000_000_000
    first, second = storage.claim(Claim("email", "w1", limit=2), timeout=0)
    storage.complete(first.id, first.lease, {"ok": 1}, plan_success(first, now), now)
    storage.fail(second.id, second.lease, "boom", plan_failure(second, now), now)
    storage.move(3, State.DELAYED, now)
    assert set(ordinary) <= {"SCRIPT LOAD", "HGETALL"}  # scripts once, if the server lacked them


def test_a_busy_lane_sends_on_the_ordinary_path(storage, client, monkeypatch) -> None:
    save(storage)
    ordinary: list[tuple[Any, ...]] = []
    real = client.evalsha

    def spy(*args: Any) -> Any:
        ordinary.append(args)
        return real(*args)

    monkeypatch.setattr(client, "evalsha", spy)
    lane = lane_of(storage)
    with lane._lock:  # another thread is saving
        assert save(storage, 1) == 2
    assert len(ordinary) == 1
    assert save(storage, 2) == 3 and len(ordinary) == 1


def test_a_connection_the_server_closed_is_replaced_before_sending(storage, client) -> None:
    save(storage)
    client.client_kill_filter(_id=lane_connection_id(storage))
    time.sleep(FRESH_FOR * 2)  # an idle lane is checked before it is used
    assert save(storage, 1) == 2
    assert storage.count(State.INACTIVE, "email") == 2


def test_a_dropped_connection_fails_one_save_and_the_next_reconnects(storage, client) -> None:
    """Sent on at once (no check while busy), a killed connection fails like any command
    whose connection drops (never retried: it could store the job twice); the lane's
    connection disconnects itself and the next save connects again."""
    save(storage)
    client.client_kill_filter(_id=lane_connection_id(storage))
    with pytest.raises(redis.ConnectionError):
        lane_of(storage)._used = time.monotonic()  # just used: sent on without a check
        save(storage, 1)
    assert save(storage, 2) == 2


def test_a_server_that_lost_its_scripts_gets_them_again(storage, client) -> None:
    save(storage)
    client.script_flush()
    assert save(storage, 1) == 2


def test_a_forked_child_borrows_its_own_connection(storage) -> None:
    save(storage)
    lane = lane_of(storage)
    parent_connection = lane._connection
    lane._pid = -1  # as a forked child sees it
    assert save(storage, 1) == 2
    assert lane._connection is not parent_connection


def test_other_clients_take_the_ordinary_path(client) -> None:
    single = redis.Redis(connection_pool=client.connection_pool, single_connection_client=True)
    assert not Lane(single).usable
    assert Lane(client).usable
    single.close()


def test_threads_saving_at_once_get_distinct_ids(storage) -> None:
    ids: list[int] = []
    lock = threading.Lock()

    def produce(first: int) -> None:
        for n in range(first, first + 50):
            job_id = save(storage, n)
            with lock:
                ids.append(job_id)

    threads = [threading.Thread(target=produce, args=(i * 50,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(1, 201))
    assert storage.count(State.INACTIVE, "email") == 200


@pytest.mark.parametrize("job_type", ["email", 'a "quoted"/type', "Zoë ✓", "tab\there"])
def test_the_script_announces_enqueue_byte_for_byte_as_encode_event(
    storage, client, job_type: str
) -> None:
    listener = client.pubsub()
    listener.subscribe(storage._keys.events)
    listener.get_message(timeout=1)  # the subscription's confirmation
    job_id = save(storage, job_type=job_type)
    message = listener.get_message(timeout=1)
    listener.close()
    assert message is not None
    assert message["data"].decode() == event_codec.encode_event(
        JobEvent(job_id, EventName.ENQUEUE, (job_type,))
    )


def test_a_batch_announces_only_the_flagged_inactive_jobs(storage, client) -> None:
    listener = client.pubsub()
    listener.subscribe(storage._keys.events)
    listener.get_message(timeout=1)
    specs = [JobSpec("email"), JobSpec("email"), JobSpec("email", delay_ms=500), JobSpec("sms")]
    stored = storage.enqueue_many(specs, 1_700_000_000_000, announce=[True, False, True, True])
    got = []
    while (message := listener.get_message(timeout=0.3)) is not None:
        got.append(message["data"].decode())
    listener.close()
    assert got == [
        event_codec.encode_event(JobEvent(stored[0].id, EventName.ENQUEUE, ("email",))),
        event_codec.encode_event(JobEvent(stored[3].id, EventName.ENQUEUE, ("sms",))),
    ]


def test_an_interrupted_save_leaves_no_reply_to_be_read_by_the_next(storage, monkeypatch) -> None:
    save(storage)
    connection = lane_of(storage)._connection

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(connection, "read_response", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(storage, 1)  # stored as job 2; its reply is never read
    monkeypatch.undo()
    assert save(storage, 2) == 3


def test_a_batch_on_a_busy_lane_borrows_a_connection_for_itself(storage, client) -> None:
    save(storage)
    specs = [JobSpec("email", {"n": n}) for n in range(5)]
    with lane_of(storage)._lock:
        stored = storage.enqueue_many(specs, 1_700_000_000_000)
    assert [r.id for r in stored] == [2, 3, 4, 5, 6]
    pool: Any = client.connection_pool
    assert len(pool._in_use_connections) == 1  # the lane's; the batch's went back


def test_a_bulk_save_sends_the_next_batch_before_reading_the_last_one(storage) -> None:
    """`enqueue_batches` keeps Redis busy while Python prepares: batch k+1 is taken from
    the iterable (and sent) before batch k's ids are handed back."""
    order: list[str] = []

    def batches() -> Iterator[EnqueueBatch]:
        for k in range(3):
            order.append(f"take {k}")
            yield EnqueueBatch([JobSpec("email", {"n": k})], 1_700_000_000_000)

    storage.enqueue_batches(batches(), lambda b, r: order.append(f"heard {r[0].data['n']}"))

    assert order == ["take 0", "take 1", "heard 0", "take 2", "heard 1", "heard 2"]


def test_a_bulk_save_to_a_server_that_lost_its_scripts_stores_each_job_once(
    storage, client
) -> None:
    """After SCRIPT FLUSH the first batch and the one sent behind it are refused (NOSCRIPT
    runs nothing): the script is loaded and both resent, in order."""
    client.script_flush()
    batches = [
        EnqueueBatch([JobSpec("email", {"n": 2 * k + i}) for i in range(2)], 1_700_000_000_000)
        for k in range(3)
    ]
    heard: list[int] = []

    storage.enqueue_batches(batches, lambda b, records: heard.extend(r.id for r in records))

    assert heard == [1, 2, 3, 4, 5, 6]
    assert [storage.get(i).data for i in heard] == [{"n": n} for n in range(6)]
    assert storage.count(State.INACTIVE) == 6


def test_a_listener_error_leaves_no_reply_to_be_read_by_the_next_save(storage) -> None:
    batches = [EnqueueBatch([JobSpec("email", {"n": k})], 1_700_000_000_000) for k in range(3)]

    def fail(b: EnqueueBatch, records: list) -> None:
        raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError):
        storage.enqueue_batches(batches, fail)

    assert save(storage, 7) == 3  # jobs 1 and 2 were sent; the lane is in step
