"""`queue.testmode`: Kue's test mode, backed by a fresh in-memory backend.

`enter()` moves the queue onto private memory storage, so a test never touches Redis;
saved jobs are collected in `jobs`. Workers only process them after `enter(process=True)`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kueport.backend import Backend, memory_backend

if TYPE_CHECKING:
    from kueport.job import Job
    from kueport.queue import Queue


class TestMode:
    __test__ = False  # not a pytest test class

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._saved: Backend | None = None
        self._process = False
        self._lock = threading.Lock()
        self.jobs: list[Job] = []

    @property
    def active(self) -> bool:
        return self._saved is not None

    @property
    def processing(self) -> bool:
        """Whether workers may take jobs now (always outside test mode)."""
        return self._saved is None or self._process

    def enter(self, process: bool = False) -> None:
        with self._lock:
            if self._saved is None:
                fresh = memory_backend(self._queue.clock, search_enabled=self._queue.search_enabled)
                self._saved = self._queue.swap_backend(fresh)
            self._process = process
            self.jobs.clear()

    def exit(self) -> None:
        with self._lock:
            if self._saved is None:
                return
            memory = self._queue.swap_backend(self._saved)
            memory.close()
            self._saved = None
            self._process = False
            self.jobs.clear()

    def clear(self) -> None:
        """Forget the collected jobs (the test's memory backend keeps nothing either)."""
        with self._lock:
            self.jobs.clear()
            if self._saved is not None:
                fresh = memory_backend(self._queue.clock, search_enabled=self._queue.search_enabled)
                self._queue.swap_backend(fresh).close()

    def record(self, job: Job) -> None:
        with self._lock:
            if self._saved is not None:
                self.jobs.append(job)
