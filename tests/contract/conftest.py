"""Fixtures of the storage contract suite: every test runs against each storage adapter.

Add "redis" to `STORAGE_ADAPTERS` (and a branch in `_make_storage`) to run the same
specifications against the Redis adapter.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kueport.adapters.clock import ManualClock
from kueport.adapters.memory import MemoryStorage
from kueport.ports.storage import JobStorage

STORAGE_ADAPTERS = ["memory"]


@pytest.fixture
def clock() -> ManualClock:
    """A clock that stands still until the test advances it."""
    return ManualClock()


def _make_storage(kind: str, clock: ManualClock) -> JobStorage:
    if kind == "memory":
        return MemoryStorage(clock)
    raise NotImplementedError(f"no storage adapter called {kind!r}")


@pytest.fixture(params=STORAGE_ADAPTERS)
def storage(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[JobStorage]:
    adapter = _make_storage(request.param, clock)
    yield adapter
    adapter.close()
