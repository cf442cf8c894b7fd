"""An operator's "promote every delayed job" on Redis yields to Node Kue's promoter.

Kue's promoter holds `promotion:lock` (warlock: SET NX PX, no prefix, 2 s TTL) between
reading the due delayed ids and moving each job with separate commands; a job kueport moved,
and a worker claimed, meanwhile would be put back to inactive by Node and run twice. So
`queue.promote_delayed()` (the dashboard's and the API's "promote all") moves delayed jobs
only while it holds that lock itself: it waits for Kue's pass to end, and says so when the
lock stays held. Retrying failed jobs is no promoter's business and takes no lock. The tests
set the lock as warlock does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

import kueport
from kueport import operations
from kueport.adapters.redis import promotion_lock
from kueport.adapters.redis.scripts import Scripts
from kueport.domain.errors import PromotionLocked
from kueport.job import Job
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.http.conftest import Api, error_of
from tests.redis_server import RedisServer

LOCK = "promotion:lock"
NODE = "node-process-id"  # warlock's value: the locking process's random id


@pytest.fixture
def queue(redis_server: RedisServer) -> Iterator[Queue]:
    made = kueport.create_queue(redis=redis_server.url, prefix=unique_prefix())
    yield made
    made.shutdown(timeout=0)


@pytest.fixture
def raw(redis_server: RedisServer) -> Iterator[redis.Redis]:
    made = redis_server.client(decode_responses=True)
    yield made
    made.close()


def delayed(queue: Queue, count: int) -> list[Job]:
    return [queue.create("email", {"n": n}).delay(3600).save() for n in range(count)]


def states(raw: redis.Redis, queue: Queue, jobs: list[Job]) -> list[str]:
    return [raw.hget(f"{queue.prefix}:job:{job.id}", "state") for job in jobs]


def test_promote_all_waits_for_node_kues_pass_and_moves_nothing_before_it_ends(
    queue: Queue, raw: redis.Redis
) -> None:
    jobs = delayed(queue, 3)
    assert raw.set(LOCK, NODE, nx=True, px=60_000)  # Kue's pass has read the due ids
    calling = threading.Event()
    seen_at_unlock: list[list[str]] = []

    def node_pass() -> None:
        calling.wait(30)
        time.sleep(0.3)  # Kue moving its jobs one command at a time
        seen_at_unlock.append(states(raw, queue, jobs))
        raw.delete(LOCK)  # warlock's unlock at the end of the pass

    node = threading.Thread(target=node_pass)
    node.start()
    calling.set()
    promoted = queue.promote_delayed()
    node.join(30)

    assert promoted == 3
    assert seen_at_unlock == [["delayed"] * 3]
    assert states(raw, queue, jobs) == ["inactive"] * 3
    assert raw.get(LOCK) is None  # kueport's own hold ends with its move


def test_a_lock_left_by_a_crashed_node_process_is_waited_out(
    queue: Queue, raw: redis.Redis
) -> None:
    jobs = delayed(queue, 2)
    assert raw.set(LOCK, NODE, nx=True, px=2000)  # Kue's lockTtl: gone 2 s later at most

    assert queue.promote_delayed() == 2

    assert raw.get(LOCK) is None  # moved only once the crashed process's lock had expired
    assert states(raw, queue, jobs) == ["inactive"] * 2


def test_a_lock_that_stays_held_is_a_typed_error_and_nothing_moves(
    queue: Queue, raw: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(promotion_lock, "WAIT_S", 0.2)  # the real wait is a few seconds
    jobs = delayed(queue, 2)
    assert raw.set(LOCK, NODE, nx=True, px=60_000)

    with pytest.raises(PromotionLocked, match=r"promotion:lock.*more than 0\.2 s") as caught:
        queue.promote_delayed()

    assert caught.value.promoted == 0
    assert states(raw, queue, jobs) == ["delayed"] * 2
    assert raw.get(LOCK) == NODE  # never taken over, nor released, by kueport
    assert raw.pttl(LOCK) > 2000  # nor its expiry changed


def test_the_error_tells_how_many_earlier_batches_had_moved(
    queue: Queue, raw: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(promotion_lock, "WAIT_S", 0.2)
    monkeypatch.setattr(operations, "SWEEP_LIMIT", 2)
    jobs = delayed(queue, 5)
    first_batch = Scripts.requeue_set

    def then_node_locks(self: Scripts, *args: Any) -> Any:
        moved = first_batch(self, *args)
        raw.set(LOCK, NODE, nx=True, px=60_000)  # Kue's pass starts between two batches
        return moved

    monkeypatch.setattr(Scripts, "requeue_set", then_node_locks)

    with pytest.raises(PromotionLocked, match=r"\(2 had been promoted before that\)") as caught:
        queue.promote_delayed()

    assert caught.value.promoted == 2
    assert states(raw, queue, jobs) == ["inactive"] * 2 + ["delayed"] * 3


def test_the_api_answers_503_with_a_json_error_while_the_lock_stays_held(
    queue: Queue, raw: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(promotion_lock, "WAIT_S", 0.2)
    jobs = delayed(queue, 1)
    assert raw.set(LOCK, NODE, nx=True, px=60_000)
    api = Api(queue)

    message = error_of(api.post("/jobs/delayed/promote", json={}), 503)

    assert "promotion:lock" in message and "try again" in message
    assert states(raw, queue, jobs) == ["delayed"]
    raw.delete(LOCK)
    assert api.post("/jobs/delayed/promote", json={}).get_json() == {"promoted": 1}


def test_retrying_failed_jobs_takes_no_lock_and_needs_none(queue: Queue, raw: redis.Redis) -> None:
    failed = [queue.create("email").save() for _ in range(2)]
    for job in failed:
        job.failed()
    assert raw.set(LOCK, NODE, nx=True, px=60_000)

    assert queue.retry_failed() == 2

    assert states(raw, queue, failed) == ["inactive"] * 2
    assert raw.get(LOCK) == NODE
