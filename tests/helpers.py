"""Helpers for tests that wait on work done by other threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Wait for something another thread does; the timeout only guards against hangs."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


class Recorder:
    """Collects calls from listeners on other threads, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> None:
        with self._lock:
            self.calls.append(args)

    def tagged(self, tag: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            with self._lock:
                self.calls.append((tag, *args))

        return record

    def wait(self, count: int, timeout: float = 10.0) -> list[tuple[Any, ...]]:
        wait_for(lambda: len(self.calls) >= count, timeout, f"{count} calls")
        with self._lock:
            return list(self.calls)
