"""Named retry policies: the worker process registers Python callables, jobs store the name.

Never eval, never pickle: a job that names a policy this process lacks retries after its own
delay (`JobService.fail`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from kueport.domain.backoff import BackoffFunction
from kueport.domain.errors import InvalidJobOption


class BackoffRegistry:
    """Named retry policies registered by the worker process; jobs store only the name."""

    def __init__(self) -> None:
        self._functions: dict[str, BackoffFunction] = {}
        self._lock = threading.Lock()

    def register(self, name: str, fn: BackoffFunction) -> None:
        if not name or not callable(fn):
            raise InvalidJobOption("register_backoff needs a non-empty name and a callable")
        with self._lock:
            self._functions[name] = fn

    def snapshot(self) -> Mapping[str, BackoffFunction]:
        with self._lock:
            return dict(self._functions)
