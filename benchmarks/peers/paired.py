"""The paired phase: after the per-system runs, re-measure what the ratio targets compare.

The per-system runs measure each system once, minutes apart; on a shared VM rates drift
20-30% in that time, so a ratio between two of those numbers can be decided by which system
met a slow minute. Here the systems of each target run in interleaved rounds instead:
every round measures each of them once, seconds apart, in an order rotated each round
(`rounds.rotation`), and the targets take the median of the per-round ratios
(`rounds.paired_ratio`). The groups (`rounds.groups`):

- one-by-one enqueue: kueport, huey and the raw EVALSHA ceiling; per round and system:
  FLUSHALL, `WARM_UP` untimed enqueues, FLUSHALL, `rounds.round_jobs` timed ones;
- bulk enqueue: kueport and BullMQ (RQ when BullMQ did not run), the same with
  `enqueue_bulk`;
- processing: kueport at the best plan of its per-system run and dramatiq `-p 1 -t 32`,
  one `Runner.process_run` each per round (fresh backlog of N, start, wait for N lines).

Each system's rounds become one `PeerResult` (measurement `rounds.ENQUEUE_ONE`, ...;
value = median rate, `extra["rounds"]` = per-round rates, `extra["positions"]` = its place
in each round's order), so `peers.json` keeps them for `--report-only`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from benchmarks.peers.base import Peer, PeerResult, WorkerPlan
from benchmarks.peers.registry import make_peer
from benchmarks.peers.rounds import (
    DRAMATIQ_T32,
    ENQUEUE_BULK,
    PROCESS,
    groups,
    rotation,
    round_jobs,
)
from benchmarks.peers.runner import Runner, log

#: Untimed enqueues before each timed round: the client is warm whoever went before it.
WARM_UP = 200

Measure = Callable[[], float | None]


def run_paired(
    runner: Runner,
    available: Collection[str],
    results: Sequence[PeerResult],
    rounds: int,
    process_rounds: int,
) -> list[PeerResult]:
    """Every group the targets need among `available` (registry names); see module doc."""
    found: list[PeerResult] = []
    for group in groups(available):
        peers = [make_peer(name) for name in group.systems]
        if any(peer is None for peer in peers):
            continue
        count = process_rounds if group.measurement == PROCESS else rounds
        log(f"paired: {group.measurement}, {count} rounds of {', '.join(group.systems)}")
        try:
            with opened(runner, [p for p in peers if p is not None]) as ready:
                found.extend(_group(runner, group.measurement, ready, results, count))
        except Exception as exc:  # the per-system numbers are kept; the target falls back
            log(f"paired: {group.measurement} FAILED: {exc!r}")
    return found


@contextmanager
def opened(runner: Runner, peers: list[Peer]) -> Iterator[list[Peer]]:
    """Open every peer on the runner's server; close them all (and FLUSHALL) after."""
    with ExitStack() as stack:
        stack.callback(runner.reset)
        for peer in peers:
            peer.open(runner.ctx)
            stack.callback(peer.close)
        yield peers


def _group(
    runner: Runner,
    measurement: str,
    peers: list[Peer],
    results: Sequence[PeerResult],
    count: int,
) -> list[PeerResult]:
    if measurement == PROCESS:
        plans = _process_plans(peers, results)
        if plans is None:
            log("paired: kueport's best plan or dramatiq -p 1 -t 32 not found; skipped")
            return []
        entries = [(p, _processing(runner, p, plan)) for p, plan in zip(peers, plans, strict=True)]
        config = " vs ".join(plan.label for plan in plans)
        return interleave(measurement, entries, count, config)
    n = round_jobs(runner.settings.jobs, count)
    bulk = measurement == ENQUEUE_BULK
    entries = [(p, _enqueue(runner, p, n, bulk)) for p in peers]
    return interleave(measurement, entries, count, f"{count} rounds of {n:,} jobs")


def interleave(
    measurement: str, entries: list[tuple[Peer, Measure]], count: int, config: str
) -> list[PeerResult]:
    """`count` rounds, each running every entry once in `rotation` order."""
    rates: dict[str, list[float | None]] = {peer.name: [] for peer, _ in entries}
    positions: dict[str, list[int]] = {peer.name: [] for peer, _ in entries}
    for index in range(count):
        for position, (peer, measure) in enumerate(rotation(entries, index)):
            rate = measure()
            rates[peer.name].append(rate)
            positions[peer.name].append(position)
            log(f"paired: {measurement} round {index + 1}: {peer.name} {rate or 0:,.0f} jobs/s")
    return [
        PeerResult(
            name,
            measurement,
            _median([r for r in rates[name] if r is not None]),
            "jobs/s",
            config,
            extra={"rounds": rates[name], "positions": positions[name]},
        )
        for name in rates
    ]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _enqueue(runner: Runner, peer: Peer, n: int, bulk: bool) -> Measure:
    def enqueue(k: int) -> float:
        return peer.enqueue_bulk(k)[0] if bulk else peer.enqueue_one(k)

    def measure() -> float:
        runner.reset()
        enqueue(min(WARM_UP, n))
        runner.reset()
        return n / enqueue(n)

    return measure


def _processing(runner: Runner, peer: Peer, plan: WorkerPlan) -> Measure:
    return lambda: runner.process_run(peer, plan)[0]


def _process_plans(
    peers: list[Peer], results: Sequence[PeerResult]
) -> tuple[WorkerPlan, WorkerPlan] | None:
    """kueport's best plan of its per-system run, and dramatiq's `-p 1 -t 32`."""
    kueport, dramatiq = peers
    best = next(
        (r.config for r in results if r.system == kueport.name and r.measurement == "process_best"),
        None,
    )
    ours = next((p for p in kueport.worker_plans() if p.label == best), None)
    theirs = next((p for p in dramatiq.worker_plans() if p.label == DRAMATIQ_T32), None)
    return None if ours is None or theirs is None else (ours, theirs)
