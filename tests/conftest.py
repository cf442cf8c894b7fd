"""Fixtures shared by every suite: a manual clock and queues on each adapter.

`ADAPTERS` is the one list the Redis issue extends; tests never name an adapter themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, settings

import kueport
from kueport.adapters.clock import ManualClock
from kueport.backend import Backend, memory_backend
from kueport.queue import Queue
from tests.redis_server import (
    RedisServer,
    shared_server,
    shared_server_running,
    stop_shared_server,
)

# Hypothesis fails an example slower than 200 ms (and a slow data generation) by default:
# timing assertions in disguise, which a busy machine trips. Speed is measured by benchmarks/.
settings.register_profile("kueport", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kueport")

ADAPTERS = ["memory", "redis"]


def unique_prefix() -> str:
    """A fresh key prefix, so nothing a previous test left running can touch this one."""
    return f"t{uuid.uuid4().hex[:10]}"


def make_backend(adapter: str, clock: ManualClock, *, search_enabled: bool = False) -> Backend:
    if adapter == "memory":
        return memory_backend(clock, search_enabled=search_enabled)
    if adapter == "redis":
        from kueport.adapters.redis import redis_backend

        url = shared_server().url
        return redis_backend(url, unique_prefix(), clock, search_enabled=search_enabled)
    raise ValueError(f"unknown adapter {adapter!r}")


@pytest.fixture(scope="session")
def redis_server() -> RedisServer:
    """The session's redis-server on a free loopback port (skips, or fails under CI, if absent)."""
    return shared_server()


@pytest.fixture(scope="session", autouse=True)
def _stop_redis_server_at_the_end() -> Iterator[None]:
    yield
    stop_shared_server()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A plain client (bytes replies) on the session's redis-server; closed after the test."""
    made = redis_server.client()
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _empty_redis() -> None:
    """FLUSHALL before each test once the server runs (prefixes also differ per backend)."""
    if shared_server_running():
        shared_server().flush()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    return str(request.param)


QueueFactory = Callable[..., Queue]


@pytest.fixture
def make_queue(adapter: str, clock: ManualClock) -> Iterator[QueueFactory]:
    """Queues with quick internal timers (never relied on for correctness) on the adapter."""
    made: list[Queue] = []

    def factory(**options: Any) -> Queue:
        search = not options.pop("disable_search", True)
        options.setdefault("maintenance_interval", 0.02)
        options.setdefault("claim_timeout", 0.05)
        backend = make_backend(adapter, clock, search_enabled=search)
        queue = kueport.create_queue(backend=backend, disable_search=not search, **options)
        made.append(queue)
        return queue

    yield factory
    for queue in made:
        if not queue.closed:
            queue.shutdown(timeout=0)


@pytest.fixture
def queue(make_queue: QueueFactory) -> Queue:
    return make_queue()
