"""arq: `await pool.enqueue_job("email", payload)`; workers via the `arq` CLI.

Defaults: `max_jobs` 10 and `poll_delay` 0.5 s (the worker polls; it does not block on
Redis), which shows in the idle latency. arq has no bulk enqueue. One `arq` command is one
process; 2 processes are two commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.peers.base import Context, WorkerPlan
from benchmarks.peers.pybase import AsyncPeer

MAX_JOBS = (10, 50)
APP = "benchmarks.peers.apps.arq_app.WorkerSettings"


class ArqPeer(AsyncPeer):
    name = "arq"

    def __init__(self) -> None:
        super().__init__()
        self.pool: Any = None

    def version(self) -> str:
        return version("arq")

    def open(self, ctx: Context) -> None:
        from arq import create_pool

        from benchmarks.peers.apps.arq_app import redis_settings

        super().open(ctx)
        self.pool = self.loop.run_until_complete(create_pool(redis_settings()))

    async def asend(self, data: dict[str, Any]) -> None:
        await self.pool.enqueue_job("email", data)

    def close(self) -> None:
        self.loop.run_until_complete(self.pool.aclose())
        super().close()

    def worker_plans(self) -> Sequence[WorkerPlan]:
        assert self.ctx is not None
        arq = str(Path(self.ctx.python).with_name("arq"))
        return [
            self.plan(f"arq, max_jobs {m}", [arq, APP], m, BENCH_CONCURRENCY=str(m))
            for m in MAX_JOBS
        ]
