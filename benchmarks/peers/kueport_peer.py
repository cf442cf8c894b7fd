"""kueport through its public API only: `create_queue`, `create().save()`, `kueport worker`.

Bulk enqueue uses `queue.save_all(jobs)` when the installed kueport has it (issue 7 adds
it); until then a loop of `save()` is measured and the table says "no bulk API".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib.metadata import version

import kueport
from benchmarks.peers.apps.kueport_app import JOB_TYPE, PREFIX
from benchmarks.peers.base import Context, PeerResult, WorkerPlan, payload

#: Default first (`queue.process` without `concurrency` runs 1 at a time).
CONCURRENCIES = (1, 4, 16, 64)


class KueportPeer:
    name = "kueport"

    def __init__(self) -> None:
        self.queue: kueport.Queue | None = None
        self.ctx: Context | None = None

    def version(self) -> str:
        return version("kueport")

    def open(self, ctx: Context) -> None:
        self.ctx = ctx
        self.queue = kueport.create_queue(redis=ctx.redis_url, prefix=PREFIX)

    def close(self) -> None:
        if self.queue is not None:
            self.queue.shutdown(timeout=1)

    def _queue(self) -> kueport.Queue:
        assert self.queue is not None, "open() first"
        return self.queue

    def enqueue_one(self, n: int) -> float:
        queue = self._queue()
        start = time.perf_counter()
        for k in range(n):
            queue.create(JOB_TYPE, payload(k)).save()
        return time.perf_counter() - start

    def enqueue_bulk(self, n: int) -> tuple[float, str]:
        queue = self._queue()
        save_all = getattr(queue, "save_all", None)
        if save_all is None:
            return self.enqueue_one(n), "no bulk API"
        start = time.perf_counter()
        save_all([queue.create(JOB_TYPE, payload(k)) for k in range(n)])
        return time.perf_counter() - start, "save_all"

    def enqueue_timed(self, k: int) -> None:
        self._queue().create(JOB_TYPE, payload(k, time.time())).save()

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(c, 1) for c in CONCURRENCIES]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(best.concurrency, 2)

    def _plan(self, concurrency: int, processes: int) -> WorkerPlan:
        assert self.ctx is not None
        argv = [
            self.ctx.python, "-m", "kueport", "worker",
            "benchmarks.peers.apps.kueport_app:setup",
            "--processes", str(processes), "--concurrency", str(concurrency),
        ]  # fmt: skip
        label = f"--processes {processes} --concurrency {concurrency}"
        return WorkerPlan(label, [argv], self.ctx.app_env(), concurrency, processes)

    def extras(self, n: int) -> list[PeerResult]:
        """The memory-adapter target: `create_queue()` (embedded) drains n no-op jobs."""
        from benchmarks.peers.memory_adapter import memory_adapter_rates

        return memory_adapter_rates(n)
