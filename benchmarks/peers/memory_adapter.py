"""The memory-adapter target of issue 7: `kueport.create_queue()` drains N no-op jobs.

No Redis and no worker process: one Python process enqueues N jobs (not timed), starts
`queue.process` and is timed until `queue.complete_count()` reaches N (polled every 5 ms).
Each configuration (a sync or an `async def` no-op handler, and a concurrency) drains
`ROUNDS` fresh queues and keeps the median rate: on this kind of VM one drain's rate swings
by up to 1.5x from one minute to the next. The best configuration is the result; the others
are listed as tried.
"""

from __future__ import annotations

import statistics
import time

import kueport
from benchmarks.peers.base import PeerResult, payload

#: (handler kind, concurrency) pairs tried.
CONFIGURATIONS = (("sync", 1), ("sync", 16), ("async", 1), ("async", 16))
ROUNDS = 3
GIVE_UP = 600.0


def no_op(job: kueport.Job) -> None:
    return None


async def async_no_op(job: kueport.Job) -> None:
    return None


def drain_rate(n: int, kind: str, concurrency: int) -> float | None:
    queue = kueport.create_queue()
    try:
        for k in range(n):
            queue.create("email", payload(k)).save()
        start = time.perf_counter()
        handler = async_no_op if kind == "async" else no_op
        queue.process("email", handler, concurrency=concurrency)
        while queue.complete_count("email") < n:
            if time.perf_counter() - start > GIVE_UP:
                return None
            time.sleep(0.005)
        return n / (time.perf_counter() - start)
    finally:
        queue.shutdown(timeout=1)


def median_rate(n: int, kind: str, concurrency: int) -> float | None:
    """The median of `ROUNDS` drains; None when any gave up."""
    rates = [drain_rate(n, kind, concurrency) for _ in range(ROUNDS)]
    if any(rate is None for rate in rates):
        return None
    return statistics.median(rate for rate in rates if rate is not None)


def memory_adapter_rates(n: int) -> list[PeerResult]:
    rates = {config: median_rate(n, *config) for config in CONFIGURATIONS}
    measured = {config: r for config, r in rates.items() if r is not None}
    if not measured:
        return [PeerResult("kueport", "memory_adapter", None, "jobs/s", note="gave up")]
    best = max(measured, key=lambda c: measured[c])
    tried = ", ".join(f"{k} concurrency {c}: {r:,.0f}" for (k, c), r in measured.items())
    return [
        PeerResult(
            "kueport (memory)",
            "memory_adapter",
            measured[best],
            "jobs/s",
            f"create_queue(), {best[0]} handler, concurrency {best[1]}, {n:,} no-op jobs, "
            f"median of {ROUNDS} drains",
            extra={"tried": tried},
        )
    ]
