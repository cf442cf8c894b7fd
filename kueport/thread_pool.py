"""Threads for sync handlers: reused while jobs keep coming, never a queue in front of them.

Starting a thread per job costs more than a no-op job itself (`Thread.start` waits for the new
thread to run). A fixed-size executor would be no better for us: a handler that ignores its
cancellation (TTL) keeps its thread, and a job queued behind it inside an executor would sit
there holding a lease while nothing runs it. So each task goes to an idle thread if there is
one and to a new thread otherwise; a thread idle for `idle_timeout` seconds ends.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

Task = Callable[[], Any]


class _Slot:
    """One thread's mailbox: a submitter that took the slot from the idle list puts one task."""

    __slots__ = ("mailbox",)

    def __init__(self) -> None:
        self.mailbox: queue.SimpleQueue[Task | None] = queue.SimpleQueue()


class ElasticPool:
    def __init__(self, name: str, idle_timeout: float = 60.0) -> None:
        self._name = name
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._idle: list[_Slot] = []
        self._closed = False
        self._started = 0

    def submit(self, task: Task) -> None:
        """Run `task` on a thread now: an idle one, or a new one when all are busy."""
        with self._lock:
            if self._idle:
                self._idle.pop().mailbox.put(task)  # under the lock: see _next_task
                return
            self._started += 1
            number = self._started
        name = f"{self._name}-{number}"
        threading.Thread(target=self._serve, args=(task,), name=name, daemon=True).start()

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """Idle threads end now, busy ones when their task returns; later submits still run."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for slot in idle:
            slot.mailbox.put(None)

    def _serve(self, task: Task | None) -> None:
        slot = _Slot()
        while task is not None:
            task()  # tasks handle their own errors: the worker settles every outcome
            task = self._next_task(slot)

    def _next_task(self, slot: _Slot) -> Task | None:
        with self._lock:
            if self._closed:
                return None
            self._idle.append(slot)
        try:
            return slot.mailbox.get(timeout=self._idle_timeout)
        except queue.Empty:
            with self._lock:
                if slot in self._idle:
                    self._idle.remove(slot)
                    return None
            # A submitter took this slot just as the wait ended: its task is in the mailbox.
            return slot.mailbox.get()
