"""The targets of issue 7 as ratios within one run, each marked met or missed.

Ratios rather than absolute numbers, because every system ran on the same machine against
the same server minutes apart: a slow or busy machine moves all rows together.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.peers.base import PeerResult

Lookup = Callable[[str, str], float | None]


def _ratio(name: str, ours: float | None, theirs: float | None, need: float, what: str) -> str:
    if ours is None or theirs is None or theirs == 0:
        return f"{name}: not measured ({what})"
    ratio = ours / theirs
    verdict = "**met**" if ratio >= need else "**missed**"
    return f"{name}: {verdict}: {ratio:.2f}x, need >= {need:g}x ({what})"


def _at_most(name: str, ours: float | None, limit: float | None, what: str) -> str:
    if ours is None or limit is None:
        return f"{name}: not measured ({what})"
    verdict = "**met**" if ours <= limit else "**missed**"
    return f"{name}: {verdict}: {ours:,.2f} vs {limit:,.2f} ({what})"


DRAMATIQ_T32 = "-p 1 -t 32"


def _one_run(results: list[PeerResult], system: str, label: str) -> float | None:
    """The rate of one tried configuration (they are kept with the best one)."""
    for r in results:
        if r.system == system and r.measurement == "process_best":
            if r.config == label:
                return r.value
            runs = r.extra.get("runs", {})
            return runs.get(label) if isinstance(runs, dict) else None
    return None


def evaluate(results: list[PeerResult]) -> list[str]:
    cell = {(r.system, r.measurement): r.value for r in results}

    def get(system: str, measurement: str) -> float | None:
        return cell.get((system, measurement))

    k = "kueport"
    lines = [
        _ratio(
            "processing at best concurrency >= 2x dramatiq -p 1 -t 32",
            get(k, "process_best"),
            _one_run(results, "dramatiq", DRAMATIQ_T32),
            2.0,
            "kueport's best 1-process jobs/s / dramatiq -p 1 -t 32 jobs/s",
        ),
        _ratio(
            "one-by-one enqueue >= huey",
            get(k, "enqueue_one"),
            get("huey", "enqueue_one"),
            1.0,
            "jobs/s ratio",
        ),
        _ratio(
            "one-by-one enqueue >= 85% of the raw EVALSHA ceiling",
            get(k, "enqueue_one"),
            get("raw EVALSHA", "enqueue_one"),
            0.85,
            "jobs/s ratio",
        ),
    ]
    bullmq = get("bullmq", "enqueue_bulk")
    if bullmq is not None:
        lines.append(
            _ratio("bulk enqueue >= BullMQ addBulk", get(k, "enqueue_bulk"), bullmq, 1.0, "ratio")
        )
    else:
        lines.append(
            _ratio(
                "bulk enqueue >= 2x RQ enqueue_many (BullMQ not measured)",
                get(k, "enqueue_bulk"),
                get("rq", "enqueue_bulk"),
                2.0,
                "ratio",
            )
        )
    lines += [
        _at_most(
            "idle-worker latency p99 < 1 ms",
            get(k, "latency_p99"),
            1.0,
            _floor(get("raw EVALSHA", "latency_p50"), get("raw EVALSHA", "latency_p99")),
        ),
        _at_most(
            "memory per queued job <= Node Kue's",
            get(k, "mem_queued"),
            get("kue", "mem_queued"),
            "bytes per queued job, kueport vs Kue",
        ),
        _at_most_reverse(get("kueport (memory)", "memory_adapter")),
    ]
    return lines


def _floor(p50: float | None, p99: float | None) -> str:
    if p50 is None or p99 is None:
        return "ms"
    return f"ms; the raw BLPOP worker's floor in this run: p50 {p50:.2f} ms, p99 {p99:.2f} ms"


def _at_most_reverse(rate: float | None) -> str:
    name = "memory adapter >= 50,000 jobs/s in one process"
    if rate is None:
        return f"{name}: not measured"
    verdict = "**met**" if rate >= 50_000 else "**missed**"
    return f"{name}: {verdict}: {rate:,.0f} jobs/s ({rate / 50_000:.2f}x of the target)"
