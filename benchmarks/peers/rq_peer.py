"""RQ: `queue.enqueue(fn, payload)`, bulk `queue.enqueue_many` (one pipeline), `rq worker`.

RQ runs one job at a time per worker process. Its default `Worker` forks a work horse per
job; `SimpleWorker` runs jobs in the worker process itself. Both are tried; the faster one
is "best", and 2 processes are two `rq worker` commands of that class.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import redis

from benchmarks.peers.base import Context, WorkerPlan, payload
from benchmarks.peers.pybase import PythonPeer

CLASSES = ("rq.Worker", "rq.worker.SimpleWorker")
#: The forking `Worker` manages ~10-100 jobs/s here: it drains N/10 jobs, at most 1,000.
FORK_JOBS = 1_000


class RqPeer(PythonPeer):
    name = "rq"

    def __init__(self) -> None:
        super().__init__()
        self.queue: Any = None

    def version(self) -> str:
        return version("rq")

    def open(self, ctx: Context) -> None:
        from rq import Queue

        super().open(ctx)
        self.queue = Queue("email", connection=redis.Redis.from_url(ctx.redis_url))

    def send(self, data: dict[str, Any]) -> None:
        from benchmarks.peers.apps.rq_app import email

        self.queue.enqueue(email, data)

    def enqueue_bulk(self, n: int) -> tuple[float, str]:
        from rq import Queue

        from benchmarks.peers.apps.rq_app import email

        start = time.perf_counter()
        self.queue.enqueue_many([Queue.prepare_data(email, (payload(k),)) for k in range(n)])
        return time.perf_counter() - start, "enqueue_many (one pipeline)"

    def worker_plans(self) -> Sequence[WorkerPlan]:
        assert self.ctx is not None
        rq = str(Path(self.ctx.python).with_name("rq"))
        plans = []
        for cls in CLASSES:
            argv = [rq, "worker", "-w", cls, "--url", self.ctx.redis_url, "email"]
            plan = self.plan(f"rq worker -w {cls}", argv, 1)
            if cls == "rq.Worker":
                jobs = min(FORK_JOBS, max(self.ctx.jobs // 10, 2))
                label = f"{plan.label} ({jobs:,} jobs)"
                plan = WorkerPlan(label, plan.commands, plan.env, 1, 1, jobs)
            plans.append(plan)
        return plans
