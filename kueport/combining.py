"""Flat combining: items that arrive while one is being written are written together.

A worker's handlers finish on many threads. Writing each outcome on its own costs one
round trip per job; holding outcomes back to fill a batch would delay a lone one. Here the
thread that finds no write in progress writes everything pending, again and again until
nothing is left; a thread arriving meanwhile only appends its item and returns. So a lone
item is written at once, and items that finish together share one write.

Where a write waits on a round trip, one writer leaves the server idle while it handles
a batch's reply and the other side idle while the batch is on its way. `join` lets a second
writer start meanwhile once enough is pending (never more than two): the two halves of
the work overlap, and each write still carries a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Combiner(Generic[T]):
    def __init__(
        self, write: Callable[[list[T]], None], join: Callable[[int], bool] | None = None
    ) -> None:
        """`write` gets every pending item, oldest first; it must not raise (an error it
        lets through is re-raised to the thread that was writing, after the batch).
        `join(pending)`: whether a second write may start while one runs, given how many
        items are pending (default: never)."""
        self._write = write
        self._join = join
        self._lock = threading.Lock()
        self._pending: list[T] = []
        self._writing = 0  # writes running: 0, 1 or 2

    def add(self, item: T) -> None:
        """Queue `item`; write it (and whatever else is pending) unless a write is running."""
        if self._queue(item):
            self._drain()

    def post(self, item: T, start: Callable[[Callable[[], None]], object]) -> None:
        """`add`, except that a write this item starts runs wherever `start` runs it (a pool
        thread, say): for callers that must not block, such as an event loop's thread."""
        if self._queue(item):
            try:
                start(self._drain)
            except BaseException:  # no write was started: the next caller writes
                with self._lock:
                    self._writing -= 1
                raise

    def _queue(self, item: T) -> bool:
        """Append `item`; True when the caller is to write (no write is running, or a
        second may join it)."""
        with self._lock:
            self._pending.append(item)
            if self._writing and (
                self._writing >= 2 or self._join is None or not self._join(len(self._pending))
            ):
                return False  # a writing thread picks it up before it stops
            self._writing += 1
            return True

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._writing -= 1
                    return
            try:
                self._write(batch)
            except BaseException:
                with self._lock:
                    self._writing -= 1
                raise
