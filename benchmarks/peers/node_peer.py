"""Node peers (BullMQ, Kue 0.11): a long-lived `node X.js producer` subprocess enqueues.

The driver writes commands to the producer's stdin and reads one JSON answer per command
(protocol in node/common.js); the producer times its own enqueue loops, so Node's start-up
and the pipe are not counted. Workers are `node X.js worker C` processes.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from benchmarks.peers.base import Context, WorkerPlan

NODE_DIR = Path(__file__).resolve().parent / "node"


class NodePeer:
    name = ""
    script = ""
    package = ""
    default_concurrencies: Sequence[int] = (1,)

    def __init__(self) -> None:
        if not (NODE_DIR / "node_modules" / self.package).is_dir():
            raise ImportError(f"{self.package} is not installed: npm install in {NODE_DIR}")
        self.ctx: Context | None = None
        self.proc: subprocess.Popen[str] | None = None

    def version(self) -> str:
        meta = json.loads((NODE_DIR / "node_modules" / self.package / "package.json").read_text())
        return str(meta["version"])

    def open(self, ctx: Context) -> None:
        self.ctx = ctx
        self.proc = subprocess.Popen(
            [ctx.node or "node", str(NODE_DIR / self.script), "producer"],
            env=ctx.app_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, command: str) -> dict[str, object]:
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        reply: dict[str, object] = json.loads(self.proc.stdout.readline() or '{"error": "EOF"}')
        if "error" in reply:
            raise RuntimeError(f"{self.script} {command}: {reply['error']}")
        return reply

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self._ask("quit")
            self.proc.wait(10)
        except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError):
            self.proc.kill()
            self.proc.wait()

    def enqueue_one(self, n: int) -> float:
        return float(self._ask(f"one {n}")["seconds"])  # type: ignore[arg-type]

    def enqueue_bulk(self, n: int) -> tuple[float, str]:
        reply = self._ask(f"bulk {n}")
        return float(reply["seconds"]), str(reply["note"])  # type: ignore[arg-type]

    def enqueue_timed(self, k: int) -> None:
        self._ask(f"timed {k}")

    def worker_plans(self) -> Sequence[WorkerPlan]:
        return [self._plan(c, 1) for c in self.default_concurrencies]

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        return self._plan(best.concurrency, 2)

    def _plan(self, concurrency: int, processes: int) -> WorkerPlan:
        assert self.ctx is not None
        argv = [self.ctx.node or "node", str(NODE_DIR / self.script), "worker", str(concurrency)]
        label = f"{processes} x node {self.script} worker, concurrency {concurrency}"
        return WorkerPlan(label, [argv] * processes, self.ctx.app_env(), concurrency, processes)


class BullmqPeer(NodePeer):
    """BullMQ: `Queue.add`, `Queue.addBulk` (1,000 per call), `Worker` with `concurrency`."""

    name = "bullmq"
    script = "bullmq.js"
    package = "bullmq"
    default_concurrencies = (1, 16, 64)


class KuePeer(NodePeer):
    """Node Kue 0.11.6: `create().save()`, `queue.process(type, n, fn)`; no bulk API."""

    name = "kue"
    script = "kue.js"
    package = "kue"
    default_concurrencies = (1, 16)
