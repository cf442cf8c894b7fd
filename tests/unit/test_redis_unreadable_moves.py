"""Hashes Kue leaves behind that kueport cannot read are never half-moved.

Node Kue can leave a job hash without a `type` (a delete cut short) or with a priority name
it stores verbatim. Moving such a job by hand (the dashboard's state menu) must refuse it
before anything is written, and removing one must clear every index it is in, including
a state kueport does not know.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

import kueport
from kueport.adapters.clock import ManualClock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.errors import UnreadableJob
from kueport.domain.ordering import zid
from kueport.domain.state import State
from tests.conftest import unique_prefix
from tests.redis_server import RedisServer

JOB_ID = 10


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def storage(redis_client: redis.Redis, prefix: str) -> Iterator[RedisStorage]:
    made = RedisStorage(redis_client, Keys(prefix), ManualClock(1_700_000_000_000))
    yield made
    made.close()


def kue_hash(client: redis.Redis, prefix: str, **fields: str) -> None:
    """A job as Node Kue might leave it: the hash plus its entries in Kue's sorted sets."""
    member = zid(JOB_ID)
    client.hset(f"{prefix}:job:{JOB_ID}", mapping=fields)
    client.zadd(f"{prefix}:jobs", {member: 0})
    client.zadd(f"{prefix}:jobs:{fields['state']}", {member: 0})
    if "type" in fields:
        client.zadd(f"{prefix}:jobs:{fields['type']}:{fields['state']}", {member: 0})


def snapshot(client: redis.Redis, prefix: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in sorted(client.scan_iter(match=f"{prefix}:*")):
        kind = client.type(key)
        if kind == b"hash":
            out[key] = client.hgetall(key)
        elif kind == b"zset":
            out[key] = client.zrange(key, 0, -1, withscores=True)
        elif kind == b"list":
            out[key] = client.lrange(key, 0, -1)
    return out


BASE = {"state": "inactive", "data": "{}", "created_at": "1", "updated_at": "1"}


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(BASE | {"priority": "0"}, id="no type"),
        pytest.param(BASE | {"type": "email", "priority": "urgent"}, id="unknown priority"),
    ],
)
def test_a_job_kueport_cannot_read_is_refused_a_move_and_left_as_it_was(
    storage: RedisStorage, redis_client: redis.Redis, prefix: str, fields: dict[str, str]
) -> None:
    kue_hash(redis_client, prefix, **fields)
    before = snapshot(redis_client, prefix)

    with pytest.raises(UnreadableJob):
        storage.move(JOB_ID, State.COMPLETE, 1_700_000_000_000)

    assert snapshot(redis_client, prefix) == before


def test_the_move_script_itself_refuses_a_hash_without_a_type_before_writing(
    storage: RedisStorage, redis_client: redis.Redis, prefix: str
) -> None:
    kue_hash(redis_client, prefix, **(BASE | {"priority": "0"}))
    before = snapshot(redis_client, prefix)

    with pytest.raises(UnreadableJob):
        storage._scripts.move(JOB_ID, State.COMPLETE, 1, None, list(State))

    assert snapshot(redis_client, prefix) == before


def test_removing_a_job_in_a_state_of_its_own_clears_that_states_index_too(
    storage: RedisStorage, redis_client: redis.Redis, prefix: str
) -> None:
    kue_hash(redis_client, prefix, **(BASE | {"type": "email", "priority": "0", "state": "bogus"}))

    with pytest.raises(UnreadableJob):  # no record to return: it is gone all the same
        storage.remove(JOB_ID)

    assert snapshot(redis_client, prefix) == {}


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(BASE | {"priority": "0"}, id="no type"),
        pytest.param(BASE | {"type": "email", "priority": "urgent"}, id="unknown priority"),
    ],
)
def test_queue_remove_of_a_job_it_cannot_read_removes_it_and_says_so(
    redis_server: RedisServer, redis_client: redis.Redis, prefix: str, fields: dict[str, str]
) -> None:
    kue_hash(redis_client, prefix, **fields)
    queue = kueport.create_queue(redis=redis_server.url, prefix=prefix)
    try:
        assert queue.remove(JOB_ID) is True
        assert queue.remove(JOB_ID) is False  # nothing there any more
    finally:
        queue.shutdown()

    assert snapshot(redis_client, prefix) == {}
