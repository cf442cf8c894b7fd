"""Clocks: the system's, and a manual one tests move by hand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """Stands still until `advance()`; listeners hear every move so waiting loops wake up."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def advance(self, seconds: float | timedelta) -> int:
        step = seconds.total_seconds() if isinstance(seconds, timedelta) else seconds
        with self._lock:
            self._now += round(step * 1000)
            now = self._now
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
        return now

    def on_advance(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)
