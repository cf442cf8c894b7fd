"""Threads for sync handlers: reused while jobs keep coming, never a queue in front of them.

Starting a thread per job costs more than a no-op job itself (`Thread.start` waits for the new
thread to run). A fixed-size executor would be no better for us: a handler that ignores its
cancellation (TTL) keeps its thread, and a job queued behind it inside an executor would sit
there holding a lease while nothing runs it. So a task goes to an idle thread if there is
one and to a new thread otherwise; a thread idle for `idle_timeout` seconds ends.

Waking a parked thread is a system call made while holding the GIL, and a worker that
claims a batch of jobs submits them all at once. So the wake-ups chain: a submit wakes a
thread only when none is already on its way; the woken thread takes one task and, if more
wait, wakes the next before it runs its own. A thread whose task returned takes the next
waiting task itself, without being woken. Every waiting task therefore has a thread on its
way to it (none ever waits behind a running task), and short tasks share the threads that
are already awake instead of each costing a wake-up.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

Task = Callable[[], Any]


class _Slot:
    """One parked thread's mailbox: True = woken to take a task, None = end."""

    __slots__ = ("mailbox",)

    def __init__(self) -> None:
        self.mailbox: queue.SimpleQueue[bool | None] = queue.SimpleQueue()


class ElasticPool:
    def __init__(self, name: str, idle_timeout: float = 60.0) -> None:
        self._name = name
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._ready: deque[Task] = deque()
        self._idle: list[_Slot] = []
        self._waking = 0  # threads woken or started that have not yet looked at `_ready`
        self._closed = False
        self._started = 0

    def submit(self, task: Task) -> None:
        """Run `task` on a thread now: one on its way, an idle one, or a new one."""
        with self._lock:
            self._ready.append(task)
            if self._waking:
                return  # that thread takes this task, or wakes the next one for it
            self._waking += 1
            number = self._wake()
        if number:
            try:
                self._start(number)
            except BaseException:
                with self._lock:  # no thread is on its way: take the task back, then raise
                    self._waking -= 1
                    taken = task not in self._ready
                    if not taken:
                        self._ready.remove(task)
                if not taken:
                    raise

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

    def _wake(self) -> int:
        """Holding the lock, with `_waking` counted: wake an idle thread (0), or return the
        number of a thread to start once the lock is released."""
        if self._idle:
            self._idle.pop().mailbox.put(True)  # under the lock: see _park
            return 0
        self._started += 1
        return self._started

    def _start(self, number: int) -> None:
        name = f"{self._name}-{number}"
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        slot = _Slot()
        woken = True  # started by a submit, which counted this thread in `_waking`
        while True:
            number = 0
            with self._lock:
                if woken:
                    self._waking -= 1
                    woken = False
                task = self._ready.popleft() if self._ready else None
                if task is not None and self._ready and not self._waking:
                    self._waking += 1  # more wait: the next thread is on its way first
                    number = self._wake()
                elif task is None:
                    if self._closed:
                        return
                    self._idle.append(slot)
            if number:
                try:
                    self._start(number)
                except RuntimeError:  # out of threads: those waiting go to threads as they free
                    with self._lock:
                        self._waking -= 1
            if task is not None:
                task()  # tasks handle their own errors: the worker settles every outcome
            elif not self._park(slot):
                return
            else:
                woken = True

    def _park(self, slot: _Slot) -> bool:
        """Wait in the idle list; True once woken for a task, False to end the thread."""
        try:
            return self._signal(slot.mailbox.get(timeout=self._idle_timeout))
        except queue.Empty:
            with self._lock:
                if slot in self._idle:
                    self._idle.remove(slot)
                    return False
            # A submitter took this slot just as the wait ended: its wake-up is in the mailbox.
            return self._signal(slot.mailbox.get())

    @staticmethod
    def _signal(message: bool | None) -> bool:
        return message is True
