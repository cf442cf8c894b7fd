"""Shared shape of the Python peers: a timed loop over one `send(payload)` per job.

A subclass gives `send` (or `asend` for asyncio libraries), its worker configurations and,
when the library has one, a real bulk API by overriding `enqueue_bulk`. Without one, bulk
enqueue is the same loop and the table marks it "no bulk API".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.peers.base import Context, WorkerPlan, payload

NO_BULK = "no bulk API"
FILL = 50


class PythonPeer:
    name = ""

    def __init__(self) -> None:
        self.ctx: Context | None = None

    def open(self, ctx: Context) -> None:
        self.ctx = ctx

    def close(self) -> None:
        return None

    def send(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def enqueue_one(self, n: int) -> float:
        start = time.perf_counter()
        for k in range(n):
            self.send(payload(k))
        return time.perf_counter() - start

    def enqueue_bulk(self, n: int) -> tuple[float, str]:
        return self.enqueue_one(n), NO_BULK

    def enqueue_timed(self, k: int) -> None:
        self.send(payload(k, time.time()))

    def worker_plans(self) -> Sequence[WorkerPlan]:
        raise NotImplementedError

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        """By default: the best configuration's command started twice."""
        return WorkerPlan(f"2 x {best.label}", [*best.commands] * 2, best.env, best.concurrency, 2)

    def plan(self, label: str, argv: list[str], concurrency: int, **env: str) -> WorkerPlan:
        assert self.ctx is not None, "open() first"
        return WorkerPlan(label, [argv], self.ctx.app_env(**env), concurrency, 1)


class AsyncPeer(PythonPeer):
    """For asyncio libraries: one event loop for the driver's life; loops run inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()

    async def asend(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def send(self, data: dict[str, Any]) -> None:
        self.loop.run_until_complete(self.asend(data))

    def enqueue_one(self, n: int) -> float:
        async def many() -> float:
            start = time.perf_counter()
            for k in range(n):
                await self.asend(payload(k))
            return time.perf_counter() - start

        return self.loop.run_until_complete(many())

    def fill(self, n: int) -> None:
        """The untimed backlog of a processing run: concurrent enqueues, FILL at a time."""

        async def many() -> None:
            for first in range(0, n, FILL):
                batch = range(first, min(first + FILL, n))
                await asyncio.gather(*(self.asend(payload(k)) for k in batch))

        self.loop.run_until_complete(many())

    def close(self) -> None:
        self.loop.close()
