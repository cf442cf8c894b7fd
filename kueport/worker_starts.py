"""Starting the jobs a claim brought: each becomes a running job in a slot, bound to its
handler's arguments, and runs on a pooled thread (sync handlers) or as a task on the event
loop (`async def`), or is returned to run on the claiming thread itself.

A mixin of `Worker`, under its completion writes (`worker_completions.py`), which start the
jobs their claims brought the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.running import Context, RunningJob
from kueport.service import JobService
from kueport.slots import Slots
from kueport.thread_pool import ElasticPool

if TYPE_CHECKING:
    from kueport.worker import Next, WorkerHost


class JobStarts:
    """Mixed into `Worker` (through `CompletionWrites`)."""

    _host: WorkerHost
    _slots: Slots
    _pool: ElasticPool
    _handler: Callable[..., Any]
    _is_async: bool
    _wants_ctx: bool

    def _run_sync(self, running: RunningJob, args: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _on_async_done(self, running: RunningJob, task: asyncio.Future[Any]) -> None:
        raise NotImplementedError

    def _context(self, running: RunningJob) -> Context:
        raise NotImplementedError

    def _start_claimed(
        self,
        records: list[JobRecord],
        service: JobService,
        reserved: int,
        keep_one: bool,
        finished: Sequence[RunningJob] = (),
    ) -> Next:
        """Turn the `reserved` slots of a claim, or the slots of the `finished` jobs whose
        completion claimed `records`, into running jobs (giving back the slots it found no
        job for) and start them; with `keep_one`, the first is returned to run here."""
        runs = []
        for record in records:
            assert record.lease is not None
            lease_until = record.lease_until or 0
            runs.append(RunningJob(record, record.lease, service, lease_until))
        if not self._slots.fill(runs, reserved, finished):
            for running in runs:
                self._hand_back(running)
            return None
        kept: Next = None
        launched: list[tuple[RunningJob, tuple[Any, ...]]] = []
        for running in runs:
            job = self._host.bind_job(running.record, running.lease, service)
            args = (job, self._context(running)) if self._wants_ctx else (job,)
            if keep_one and kept is None:
                kept = (running, args)
            else:
                launched.append((running, args))
        if launched:
            self._launch(launched)
        return kept

    def _launch(self, launched: list[tuple[RunningJob, tuple[Any, ...]]]) -> None:
        """Start jobs: sync ones on pooled threads, async ones as tasks on the loop, all of
        a claim's in one hand-over (one wake-up of the loop, not one per job)."""
        if not self._is_async:
            for running, args in launched:
                self._pool.submit(partial(self._run_sync, running, args))
            return
        starts = [
            (self._handler(*args), partial(self._on_async_done, running))
            for running, args in launched
        ]
        tasks = self._host.async_runner().start_all(starts)
        for (running, _), task in zip(launched, tasks, strict=True):
            running.task = task
            if running.cancelled:  # taken away before the task existed
                task.cancel()

    def _hand_back(self, running: RunningJob) -> None:
        """A job claimed while we were stopping or paused goes back to the queue untouched:
        the claim counted no attempt, and it keeps its place (its priority and id order it).
        A manual move to `inactive`, the step shutdown uses: it breaks the lease we hold."""
        try:
            running.service.move(running.record.id, State.INACTIVE)
        except Exception as exc:
            self._host.report_error(exc)
