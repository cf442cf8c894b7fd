"""The set of adapters a queue runs on, so test mode can swap all of them at once."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from kueport.domain.state import State
from kueport.ports.clock import Clock
from kueport.ports.pubsub import EventBus
from kueport.ports.search import SearchIndex
from kueport.ports.storage import JobStorage


@attrs.frozen
class Backend:
    storage: JobStorage
    bus: EventBus
    search: SearchIndex
    clock: Clock
    #: Run after the adapters close: releases clients the composition root created for them.
    on_close: tuple[Callable[[], None], ...] = ()

    def close(self) -> None:
        self.bus.close()
        self.storage.close()
        for release in self.on_close:
            release()


def memory_backend(clock: Clock, *, search_enabled: bool = False) -> Backend:
    from kueport.adapters.memory import (
        MemoryEventBus,
        MemorySearchIndex,
        MemoryStorage,
        NullSearchIndex,
    )

    bus = MemoryEventBus()
    storage = MemoryStorage(clock, announce=bus.publish, listening=bus.listening)
    search: SearchIndex = NullSearchIndex()
    if search_enabled:
        search = MemorySearchIndex(state_of=lambda job_id: _state_of(storage, job_id))
    return Backend(storage=storage, bus=bus, search=search, clock=clock)


def _state_of(storage: JobStorage, job_id: int) -> State | None:
    record = storage.get(job_id)
    return None if record is None else record.state
