"""Fixtures of the benchmarks: a real `redis-server` and queues/services on each adapter.

These files are collected only by `make bench` (`pytest benchmarks --benchmark-only`):
`make test` runs `pytest tests`, and the default `testpaths` is `tests` too.

The server is the throwaway one of the test suite (`tests/redis_server.py`: loopback, free
port, no persistence); without `redis-server` the Redis benchmarks skip (fail under CI).
Every benchmark starts on an empty server and a fresh key prefix.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import attrs
import pytest

import kueport
from kueport.adapters.clock import SystemClock
from kueport.backend import Backend, memory_backend
from kueport.queue import Queue
from kueport.service import JobService
from tests.redis_server import RedisServer

ADAPTERS = ["memory", "redis"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer.start() as server:
        yield server


def fresh_prefix() -> str:
    return f"b{uuid.uuid4().hex[:10]}"


@attrs.define
class Services:
    """`JobService` (with its storage) on one adapter, as the queue and workers use it."""

    backend: Backend
    service: JobService


ServicesFactory = Callable[[str], Services]
QueueFactory = Callable[[str], Queue]


@pytest.fixture
def make_services(request: pytest.FixtureRequest) -> Iterator[ServicesFactory]:
    """`make_services("redis")`: a backend and its `JobService`, closed after the benchmark."""
    made: list[Backend] = []

    def factory(adapter: str) -> Services:
        clock = SystemClock()
        if adapter == "memory":
            backend = memory_backend(clock)
        else:
            server: RedisServer = request.getfixturevalue("redis_server")
            server.flush()
            from kueport.adapters.redis import redis_backend

            backend = redis_backend(server.url, fresh_prefix(), clock)
        made.append(backend)
        service = JobService(backend.storage, backend.bus, backend.search, clock)
        return Services(backend, service)

    yield factory
    for backend in made:
        backend.close()


@pytest.fixture
def make_queue(request: pytest.FixtureRequest) -> Iterator[QueueFactory]:
    """`make_queue("redis")`: a real `Queue` (events, maintenance...), shut down afterwards."""
    made: list[Queue] = []

    def factory(adapter: str) -> Queue:
        if adapter == "memory":
            queue = kueport.create_queue()
        else:
            server: RedisServer = request.getfixturevalue("redis_server")
            server.flush()
            queue = kueport.create_queue(redis=server.url, prefix=fresh_prefix())
        made.append(queue)
        return queue

    yield factory
    for queue in made:
        if not queue.closed:
            queue.shutdown(timeout=1)
