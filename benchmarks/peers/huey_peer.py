"""huey (RedisHuey): calling the task enqueues it; workers via `huey_consumer`.

The consumer's default is one thread worker (`-w 1 -k thread`); more threads are tried
for "best", and 2 processes is `-w 2 -k process`. `task.map()` is a loop of single
enqueues, so huey counts as having no bulk API.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.peers.base import WorkerPlan
from benchmarks.peers.pybase import PythonPeer

THREADS = (1, 8)
APP = "benchmarks.peers.apps.huey_app.huey"


class HueyPeer(PythonPeer):
    name = "huey"

    def version(self) -> str:
        return version("huey")

    def send(self, data: dict[str, Any]) -> None:
        from benchmarks.peers.apps.huey_app import email

        email(data)

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(workers, "thread") for workers in THREADS]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(2, "process")

    def _plan(self, workers: int, kind: str) -> WorkerPlan:
        assert self.ctx is not None
        consumer = str(Path(self.ctx.python).with_name("huey_consumer"))
        argv = [consumer, APP, "-w", str(workers), "-k", kind]
        return self.plan(f"-w {workers} -k {kind}", argv, workers)
