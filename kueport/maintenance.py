"""The periodic pass every processing queue runs: promote, expire TTLs, renew leases, retain.

Each step is an idempotent storage move, so any number of processes may run it at once
without Kue's global locks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kueport.domain.retention import Retention
from kueport.service import JobService


class MaintenanceLoop:
    def __init__(
        self, tick: Callable[[], None], interval: float, on_error: Callable[[BaseException], None]
    ) -> None:
        self._tick = tick
        self._interval = interval
        self._on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="kueport-maintenance", daemon=True
            )
            self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stop.is_set()

    def wake(self) -> None:
        """Run a pass now (a manual clock calls this when a test moves time)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception as exc:
                self._on_error(exc)
            self._wake.wait(self._interval)
            self._wake.clear()


class RetentionPass:
    """Applies the queue's default retention, at most once per `retention.interval` (queue
    clock, so a manual clock drives it in tests)."""

    def __init__(self, retention: Retention | None) -> None:
        self._retention = retention
        self._last: int | None = None

    def __call__(self, service: JobService) -> None:
        retention, now = self._retention, service.now()
        if retention is None:
            return
        if self._last is not None and now - self._last < retention.interval * 1000:
            return
        self._last = now
        for state, rule in retention.rules.items():
            service.clean(state, rule.older_than, rule.keep)
