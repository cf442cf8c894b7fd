"""saq: `await queue.enqueue("email", **payload)`; workers via `saq MODULE.settings`.

The worker's default concurrency is 10 (asyncio tasks); `--workers 2` runs 2 processes.
saq's `map` waits for results, so it has no bulk enqueue.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.peers.base import WorkerPlan
from benchmarks.peers.pybase import AsyncPeer

CONCURRENCIES = (10, 50)
APP = "benchmarks.peers.apps.saq_app.settings"


class SaqPeer(AsyncPeer):
    name = "saq"

    def version(self) -> str:
        return version("saq")

    async def asend(self, data: dict[str, Any]) -> None:
        from benchmarks.peers.apps.saq_app import queue

        await queue.enqueue("email", **data)

    def close(self) -> None:
        from benchmarks.peers.apps.saq_app import queue

        self.loop.run_until_complete(queue.disconnect())
        super().close()

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(c, 1) for c in CONCURRENCIES]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(best.concurrency, 2)

    def _plan(self, concurrency: int, workers: int) -> WorkerPlan:
        assert self.ctx is not None
        saq = str(Path(self.ctx.python).with_name("saq"))
        argv = [saq, APP, "--workers", str(workers)]
        label = f"--workers {workers}, concurrency {concurrency}"
        plan = self.plan(label, argv, concurrency, BENCH_CONCURRENCY=str(concurrency))
        return WorkerPlan(plan.label, plan.commands, plan.env, concurrency, workers)
