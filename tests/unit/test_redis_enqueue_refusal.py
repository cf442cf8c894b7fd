"""A Redis enqueue that fails on a score leaves no job hash behind.

Python callers cannot reach this any more (priorities and delays are range-checked first), but
the script must not depend on it: Redis keeps what a failing script wrote before the failing
call, and a hash written before a refused ZADD was a job in no index, never run or counted.
"""

from __future__ import annotations

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobSpec
from kueport.domain.state import State
from tests.conftest import unique_prefix
from tests.redis_server import RedisServer


@pytest.mark.parametrize(
    "spec",
    [JobSpec(type="email", priority=10**400), JobSpec(type="email", delay_ms=10**400)],
)
def test_a_refused_score_leaves_no_hash(
    redis_server: RedisServer, redis_client: redis.Redis, spec: JobSpec
) -> None:
    keys = Keys(unique_prefix())
    storage = RedisStorage(redis_server.client(), keys, ManualClock())
    try:
        kept = storage.enqueue(JobSpec(type="email"), 0).id

        with pytest.raises(redis.ResponseError):
            storage.enqueue(spec, 0)

        job_hashes = sorted(redis_client.scan_iter(match=keys.prefix + ":job:[0-9]*"))
        assert job_hashes == [f"{keys.prefix}:job:{kept}".encode()]
        assert storage.ids(State.INACTIVE, None) == [kept]
    finally:
        storage.close()
