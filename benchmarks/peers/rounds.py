"""The pure part of the paired phase: which pairs to re-measure, in what order, and the ratio.

On a shared VM a system's rate drifts 20-30% within minutes, so a ratio between two
systems measured minutes apart says as much about the minute as about the systems. The
paired phase (`paired.py`) measures the systems a target compares in interleaved rounds,
rotating who goes first, and a target takes the MEDIAN of the per-round ratios: each
ratio compares two measurements seconds apart, and the median ignores one slow round.
Everything here is plain data in and out, so it is unit-tested without Redis.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

from benchmarks.peers.base import PeerResult

T = TypeVar("T")

ENQUEUE_ONE = "paired_enqueue_one"
ENQUEUE_BULK = "paired_enqueue_bulk"
PROCESS = "paired_process"
#: The dramatiq configuration issue 7 compares kueport's processing against.
DRAMATIQ_T32 = "-p 1 -t 32"


@dataclass(frozen=True)
class Group:
    """Systems (registry names, kueport first) measured together in interleaved rounds."""

    measurement: str
    systems: tuple[str, ...]


def groups(available: Collection[str]) -> list[Group]:
    """The groups the ratio targets need, among the systems measured without error.

    A pair with one side missing (not installed, failed, or left out by `--only`) is
    skipped, and its target falls back to the single-run ratio. Bulk enqueue compares
    against BullMQ when it ran, else RQ, as the targets do.
    """
    if "kueport" not in available:
        return []
    found = []
    one = tuple(s for s in ("huey", "raw") if s in available)
    if one:
        found.append(Group(ENQUEUE_ONE, ("kueport", *one)))
    bulk = next((s for s in ("bullmq", "rq") if s in available), None)
    if bulk is not None:
        found.append(Group(ENQUEUE_BULK, ("kueport", bulk)))
    if "dramatiq" in available:
        found.append(Group(PROCESS, ("kueport", "dramatiq")))
    return found


def rotation(items: Sequence[T], round_index: int) -> list[T]:
    """The order of one round: rotated by one each round, so nobody is always first."""
    if not items:
        return []
    shift = round_index % len(items)
    return [*items[shift:], *items[:shift]]


def round_jobs(jobs: int, rounds: int, floor: int = 500) -> int:
    """Jobs per enqueue round: the run's N shared among the rounds, at least `floor`."""
    return max(jobs // max(rounds, 1), floor)


@dataclass(frozen=True)
class PairedRatio:
    """The median of per-round ratios (None without one usable round) and the ratios."""

    median: float | None
    ratios: list[float]


def median_of_ratios(ours: Sequence[float | None], theirs: Sequence[float | None]) -> PairedRatio:
    """Round i's ratio is ours[i] / theirs[i]; rounds where either side failed are left out."""
    ratios = [
        a / b
        for a, b in zip(ours, theirs, strict=True)
        if a is not None and b is not None and b > 0
    ]
    return PairedRatio(statistics.median(ratios) if ratios else None, ratios)


def rounds_of(results: Sequence[PeerResult], system: str, measurement: str) -> list[float | None]:
    """One system's per-round rates of a paired measurement; empty when it has none."""
    for r in results:
        if r.system == system and r.measurement == measurement:
            rounds = r.extra.get("rounds")
            return list(rounds) if isinstance(rounds, list) else []
    return []


def paired_ratio(
    results: Sequence[PeerResult], measurement: str, ours: str, theirs: str
) -> PairedRatio | None:
    """`ours / theirs` from interleaved rounds, or None when the pair was not measured so."""
    a, b = rounds_of(results, ours, measurement), rounds_of(results, theirs, measurement)
    if not a or len(a) != len(b):
        return None
    paired = median_of_ratios(a, b)
    return paired if paired.median is not None else None
