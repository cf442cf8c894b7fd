"""Fixtures of the storage contract suite: every test runs against each storage adapter.

"redis" runs the same specifications against `RedisStorage` on the session's redis-server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kueport.adapters.clock import ManualClock
from kueport.adapters.memory import MemoryStorage
from kueport.ports.storage import JobStorage

STORAGE_ADAPTERS = ["memory", "redis"]


@pytest.fixture
def clock() -> ManualClock:
    """A clock that stands still until the test advances it."""
    return ManualClock()


def _make_storage(kind: str, clock: ManualClock) -> JobStorage:
    if kind == "memory":
        return MemoryStorage(clock)
    if kind == "redis":
        from kueport.adapters.redis.keys import Keys
        from kueport.adapters.redis.storage import RedisStorage
        from tests.conftest import unique_prefix
        from tests.redis_server import shared_server

        return RedisStorage(shared_server().client(), Keys(unique_prefix()), clock)
    raise NotImplementedError(f"no storage adapter called {kind!r}")


@pytest.fixture(params=STORAGE_ADAPTERS)
def storage(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[JobStorage]:
    adapter = _make_storage(request.param, clock)
    yield adapter
    adapter.close()
