"""The memory-adapter target of issue 7: `kueport.create_queue()` drains N no-op jobs.

No Redis and no worker process: one Python process enqueues N jobs (not timed), starts
`queue.process` and is timed until `queue.complete_count()` reaches N (polled every 5 ms).
Each concurrency drains `ROUNDS` fresh queues and keeps the median rate: on this kind of VM
one drain's rate swings by up to 1.5x from one minute to the next.
"""

from __future__ import annotations

import statistics
import time

import kueport
from benchmarks.peers.base import PeerResult, payload

CONCURRENCIES = (1, 16)
ROUNDS = 3
GIVE_UP = 600.0


def no_op(job: kueport.Job) -> None:
    return None


def drain_rate(n: int, concurrency: int) -> float | None:
    queue = kueport.create_queue()
    try:
        for k in range(n):
            queue.create("email", payload(k)).save()
        start = time.perf_counter()
        queue.process("email", no_op, concurrency=concurrency)
        while queue.complete_count("email") < n:
            if time.perf_counter() - start > GIVE_UP:
                return None
            time.sleep(0.005)
        return n / (time.perf_counter() - start)
    finally:
        queue.shutdown(timeout=1)


def median_rate(n: int, concurrency: int) -> float | None:
    """The median of `ROUNDS` drains; None when any gave up."""
    rates = [drain_rate(n, concurrency) for _ in range(ROUNDS)]
    if any(rate is None for rate in rates):
        return None
    return statistics.median(rate for rate in rates if rate is not None)


def memory_adapter_rates(n: int) -> list[PeerResult]:
    rates = {c: median_rate(n, c) for c in CONCURRENCIES}
    measured = {c: r for c, r in rates.items() if r is not None}
    if not measured:
        return [PeerResult("kueport", "memory_adapter", None, "jobs/s", note="gave up")]
    best = max(measured, key=lambda c: measured[c])
    tried = ", ".join(f"concurrency {c}: {r:,.0f}" for c, r in measured.items())
    return [
        PeerResult(
            "kueport (memory)",
            "memory_adapter",
            measured[best],
            "jobs/s",
            f"create_queue(), concurrency {best}, {n:,} no-op jobs, median of {ROUNDS} drains",
            extra={"tried": tried},
        )
    ]
