"""Jobs Node Kue (or a damaged write) left unreadable can still be deleted through the API,
and the answer says so: Kue's `{"message": "job <id> removed"}`, not a 404."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

import kueport
from kueport.queue import Queue
from tests.http.conftest import Api, error_of
from tests.redis_server import RedisServer

GOOD = {"type": "e", "data": "{}", "priority": "0", "state": "inactive", "max_attempts": "1"}


@pytest.fixture
def on_redis(redis_server: RedisServer) -> Iterator[tuple[Queue, redis.Redis]]:
    queue = kueport.create_queue(redis=redis_server.url, prefix="unreadable")
    client = redis_server.client()
    yield queue, client
    queue.shutdown(timeout=0)
    client.close()


@pytest.mark.parametrize(
    "damage", [{"type": None}, {"priority": "urgent"}, {"state": "bogus"}], ids=str
)
def test_deleting_an_unreadable_job_answers_removed(
    on_redis: tuple[Queue, redis.Redis], damage: dict[str, str | None]
) -> None:
    queue, client = on_redis
    fields = {k: v for k, v in {**GOOD, **damage}.items() if v is not None}
    client.hset("unreadable:job:7", mapping=fields)
    client.zadd("unreadable:jobs", {"01|7": 0})
    api = Api(queue)
    error_of(api.get("/job/7"), 400)  # unreadable, but there

    reply = api.delete("/job/7")

    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_json() == {"message": "job 7 removed"}
    assert not client.exists("unreadable:job:7")
    assert error_of(api.delete("/job/7"), 404) == 'job "7" doesnt exist'
