"""Flat combining: items that arrive while one is being written are written together.

A worker's handlers finish on many threads. Writing each outcome on its own costs one
round trip per job; holding outcomes back to fill a batch would delay a lone one. Here the
thread that finds no write in progress writes everything pending, again and again until
nothing is left; a thread arriving meanwhile only appends its item and returns. So a lone
item is written at once, and items that finish together share one write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Combiner(Generic[T]):
    def __init__(self, write: Callable[[list[T]], None]) -> None:
        """`write` gets every pending item, oldest first; it must not raise (an error it
        lets through is re-raised to the thread that was writing, after the batch)."""
        self._write = write
        self._lock = threading.Lock()
        self._pending: list[T] = []
        self._writing = False

    def add(self, item: T) -> None:
        """Queue `item`; write it (and whatever else is pending) unless a write is running."""
        if self._queue(item):
            self._drain()

    def post(self, item: T, start: Callable[[Callable[[], None]], object]) -> None:
        """`add`, except that a write this item starts runs wherever `start` runs it (a pool
        thread, say): for callers that must not block, such as an event loop's thread."""
        if self._queue(item):
            start(self._drain)

    def _queue(self, item: T) -> bool:
        """Append `item`; True when the caller is to write (no write is running)."""
        with self._lock:
            self._pending.append(item)
            if self._writing:
                return False  # the writing thread picks it up before it stops
            self._writing = True
            return True

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._writing = False
                    return
            try:
                self._write(batch)
            except BaseException:
                with self._lock:
                    self._writing = False
                raise
