"""dramatiq with its RedisBroker: `actor.send(payload)`; workers via the `dramatiq` CLI.

The CLI's defaults are one process per CPU with 8 threads each; "1 process, default" is
`-p 1 -t 8`, and `-p 1 -t 32` is the configuration issue 7 compares kueport against.
dramatiq has no bulk enqueue (a `group` enqueues message by message).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

from benchmarks.peers.base import WorkerPlan
from benchmarks.peers.pybase import PythonPeer

THREADS = (8, 32)


class DramatiqPeer(PythonPeer):
    name = "dramatiq"

    def version(self) -> str:
        return version("dramatiq")

    def send(self, data: dict[str, Any]) -> None:
        from benchmarks.peers.apps.dramatiq_app import email

        email.send(data)

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(threads, 1) for threads in THREADS]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(best.concurrency, 2)

    def _plan(self, threads: int, processes: int) -> WorkerPlan:
        assert self.ctx is not None
        argv = [
            self.ctx.python, "-m", "dramatiq", "benchmarks.peers.apps.dramatiq_app",
            "-p", str(processes), "-t", str(threads),
        ]  # fmt: skip
        env = self.ctx.app_env()
        return WorkerPlan(f"-p {processes} -t {threads}", [argv], env, threads, processes)
