"""A worker's slots: which of its jobs run, how many slots a claim in flight holds, and
whether the worker is paused or stopping.

One lock guards all of it, so "is a slot free?" and "take it" are one step for the
dispatcher; a job is settled (completed, failed or taken away) exactly once however many
threads race for it: its handler's thread, a TTL sweep, a lost lease, a shutdown (an atomic
set removal, see `take_back`).
Running jobs and slots reserved by a claim in flight never add up to more than the
concurrency; a batch of completions keeps its jobs' slots while it is stored and hands
them to the jobs it claimed in one step (`fill`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from kueport.running import RunningJob


class Slots:
    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        #: Taken directly on the hot path (a C-level `with`), through `_cond` only to wait
        #: or notify.
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._running: dict[int, RunningJob] = {}
        #: Running jobs not settled yet: `take_back` removes one in a single C call, so
        #: exactly one racing caller succeeds without taking the lock (see `take_back`).
        self._unsettled: set[RunningJob] = set()
        self._reserved = 0  # slots a claim in flight may fill
        self._paused = False
        self._stopping = False
        self._abandoned: list[RunningJob] = []  # taken away while their thread still ran

    # -- reading ---------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return self._paused

    def accepting(self) -> bool:
        """Neither paused nor stopping (read without the lock: a caller racing a switch
        acts as a claim already in flight would)."""
        return not (self._paused or self._stopping)

    def running(self) -> list[RunningJob]:
        with self._lock:
            return list(self._running.values())

    def running_ids(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(sorted(self._running))

    def find(self, job_id: int) -> RunningJob | None:
        with self._lock:
            return self._running.get(job_id)

    # -- the worker's switches -------------------------------------------------------------
    def pause(self) -> None:
        self._switch(paused=True)

    def resume(self) -> None:
        self._switch(paused=False)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._cond.notify_all()

    def _switch(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused
            self._cond.notify_all()

    # -- claiming --------------------------------------------------------------------------
    def reserve_free(self) -> int:
        """Block until a slot is free and the worker may claim, then reserve every free slot
        for one claim; 0 means stop."""
        with self._lock:
            self._cond.wait_for(lambda: self._stopping or (not self._paused and self._free() > 0))
            if self._stopping:
                return 0
            free = self._free()
            self._reserved += free
            return free

    def unreserve(self, slots: int) -> None:
        with self._lock:
            self._reserved -= slots
            self._cond.notify_all()

    def fill(
        self,
        runs: Sequence[RunningJob],
        reserved: int = 0,
        finished: Sequence[RunningJob] = (),
    ) -> bool:
        """The jobs a claim brought, into the `reserved` slots of that claim or the slots of
        the `finished` jobs whose completion claimed them; slots left over are freed.
        False (nothing registered) when the worker is paused or stopping: the caller hands
        the jobs back. Read under the lock `pause()` takes, so once `pause()` returned no
        claim still in flight (a blocking one, or one riding with completions) starts a job."""
        with self._lock:
            for done in finished:
                self._forget(done)
            self._reserved -= reserved
            refused = self._stopping or self._paused
            if not refused:
                for running in runs:
                    self._running[running.record.id] = running
                self._unsettled.update(runs)
            if len(runs) < reserved + len(finished) or refused:
                self._cond.notify_all()
        return not refused

    def _free(self) -> int:
        return self.concurrency - len(self._running) - self._reserved

    # -- settling --------------------------------------------------------------------------
    def take_back(self, running: RunningJob) -> bool:
        """Settle a running job exactly once; True for the caller that gets to settle it.

        Without the lock (once per job on the hot path): `set.remove` is one C call, atomic
        under the GIL and under free-threading's per-object locks, so of the threads racing
        for a job (its handler's, a TTL sweep, a lost lease, a shutdown) exactly one
        removes it and the others get a KeyError."""
        try:
            self._unsettled.remove(running)
        except KeyError:
            return False
        return True

    def release(self, running: RunningJob) -> None:
        with self._lock:
            self._forget(running)
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> list[RunningJob]:
        """Wait up to `timeout` seconds for every running job to finish: those left."""
        with self._lock:
            self._cond.wait_for(lambda: not self._running, max(0.0, timeout))
            return list(self._running.values())

    def abandon(self, running: RunningJob) -> None:
        """A sync handler whose job was taken away, still running (see `stuck`)."""
        with self._lock:
            self._abandoned.append(running)

    def stuck(self, grace: float) -> list[RunningJob]:
        """Abandoned handlers still running `grace` seconds after their job was taken away."""
        now = time.monotonic()
        with self._lock:
            self._abandoned = [r for r in self._abandoned if not r.returned]
            return [r for r in self._abandoned if now - (r.cancelled_at or now) >= grace]

    def _forget(self, running: RunningJob) -> None:
        """Drop a job from the running set (holding the lock), unless its id already runs
        again under another lease (it was taken away first, then claimed again)."""
        self._unsettled.discard(running)  # settled already, unless handed back unrun
        if self._running.get(running.record.id) is running:
            del self._running[running.record.id]
