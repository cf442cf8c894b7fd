"""The pure part of the side-by-side benchmark's paired phase, and the targets built on it.

Only `benchmarks.peers.rounds`, `targets` and `base` are imported: stdlib only, so these
run in kueport's own venv without the peer systems installed.
"""

from __future__ import annotations

import pytest

from benchmarks.peers.base import PeerResult
from benchmarks.peers.rounds import (
    ENQUEUE_BULK,
    ENQUEUE_ONE,
    PROCESS,
    Group,
    groups,
    median_of_ratios,
    paired_ratio,
    rotation,
    round_jobs,
)
from benchmarks.peers.targets import evaluate

HUEY = "one-by-one enqueue >= huey"
RAW = "one-by-one enqueue >= 85% of the raw EVALSHA ceiling"
PROC = "processing at best concurrency >= 2x dramatiq -p 1 -t 32"
BULLMQ = "bulk enqueue >= BullMQ addBulk"
RQ = "bulk enqueue >= 2x RQ enqueue_many (BullMQ not measured)"


@pytest.mark.parametrize("systems", [["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"]])
def test_rotation_puts_every_system_in_every_position(systems: list[str]) -> None:
    orders = [rotation(systems, index) for index in range(len(systems))]
    for order in orders:
        assert sorted(order) == sorted(systems)
    for position in range(len(systems)):
        assert {order[position] for order in orders} == set(systems)


def test_rotation_alternates_a_pair_and_starts_unrotated() -> None:
    assert [rotation(["k", "d"], i) for i in range(4)] == [
        ["k", "d"],
        ["d", "k"],
        ["k", "d"],
        ["d", "k"],
    ]
    assert rotation([], 3) == []


def test_round_jobs_shares_n_with_a_floor() -> None:
    assert round_jobs(20_000, 5) == 4_000
    assert round_jobs(2_000, 3) == 666
    assert round_jobs(2_000, 5) == 500


def test_median_of_ratios_odd_count_takes_the_middle_ratio() -> None:
    # ratios 2.0, 0.5, 1.0 -> median 1.0 (the median of the rates would give 4/3)
    paired = median_of_ratios([2.0, 1.0, 3.0], [1.0, 2.0, 3.0])
    assert paired.ratios == [2.0, 0.5, 1.0]
    assert paired.median == 1.0


def test_median_of_ratios_even_count_averages_the_middle_two() -> None:
    paired = median_of_ratios([1.0, 3.0, 2.0, 8.0], [1.0, 1.0, 1.0, 1.0])
    assert paired.median == 2.5


def test_median_of_ratios_leaves_out_failed_rounds() -> None:
    paired = median_of_ratios([1.0, None, 3.0], [1.0, 2.0, 1.0])
    assert paired.ratios == [1.0, 3.0]
    assert paired.median == 2.0
    assert median_of_ratios([None], [1.0]).median is None


def test_groups_need_both_sides_of_a_pair() -> None:
    everything = {"kueport", "huey", "raw", "bullmq", "rq", "dramatiq"}
    assert groups(everything) == [
        Group(ENQUEUE_ONE, ("kueport", "huey", "raw")),
        Group(ENQUEUE_BULK, ("kueport", "bullmq")),
        Group(PROCESS, ("kueport", "dramatiq")),
    ]
    assert groups({"kueport", "raw", "rq"}) == [
        Group(ENQUEUE_ONE, ("kueport", "raw")),
        Group(ENQUEUE_BULK, ("kueport", "rq")),
    ]
    assert groups({"huey", "raw", "dramatiq", "bullmq"}) == []
    assert groups({"kueport", "saq"}) == []


def single(system: str, measurement: str, value: float, **extra: object) -> PeerResult:
    return PeerResult(system, measurement, value, "jobs/s", extra=dict(extra))


def rounds(system: str, measurement: str, rates: list[float | None]) -> PeerResult:
    positions = list(range(len(rates)))
    return PeerResult(
        system, measurement, 0.0, "jobs/s", extra={"rounds": rates, "positions": positions}
    )


def line(lines: list[str], name: str) -> str:
    (found,) = [text for text in lines if text.startswith(name + ":")]
    return found


SINGLE = [
    single("kueport", "enqueue_one", 4_000.0),
    single("huey", "enqueue_one", 5_000.0),
    single("raw EVALSHA", "enqueue_one", 6_000.0),
    single("kueport", "enqueue_bulk", 10_000.0),
    single("bullmq", "enqueue_bulk", 20_000.0),
    single("kueport", "process_best", 3_000.0),
    single("dramatiq", "process_best", 2_000.0, runs={"-p 1 -t 32": 2_000.0}),
]


def test_targets_use_the_single_run_without_paired_rounds() -> None:
    lines = evaluate(SINGLE)
    assert line(lines, HUEY) == f"{HUEY}: **missed**: 0.80x, need >= 1x (jobs/s ratio)"
    assert "**missed**: 0.67x, need >= 0.85x" in line(lines, RAW)
    assert "**missed**: 1.50x, need >= 2x" in line(lines, PROC)
    assert "**missed**: 0.50x, need >= 1x" in line(lines, BULLMQ)
    assert "interleaved" not in "".join(lines)


def test_targets_use_the_median_of_paired_rounds_when_present() -> None:
    paired = [
        rounds("kueport", ENQUEUE_ONE, [5_000.0, 5_200.0, 4_000.0]),
        rounds("huey", ENQUEUE_ONE, [5_000.0, 5_000.0, 5_000.0]),  # 1.00, 1.04, 0.80
        rounds("raw EVALSHA", ENQUEUE_ONE, [5_000.0, 6_500.0, 4_000.0]),  # 1.00, 0.80, 1.00
        rounds("kueport", ENQUEUE_BULK, [21_000.0]),
        rounds("bullmq", ENQUEUE_BULK, [20_000.0]),
        rounds("kueport", PROCESS, [4_100.0, 3_900.0]),
        rounds("dramatiq", PROCESS, [2_000.0, 2_000.0]),  # 2.05, 1.95 -> 2.00
    ]
    lines = evaluate(SINGLE + paired)
    assert line(lines, HUEY) == (
        f"{HUEY}: **met**: 1.00x (median of 3 interleaved rounds: 1.00, 1.04, 0.80), "
        "need >= 1x; single-run table ratio 0.80x (jobs/s ratio)"
    )
    assert "**met**: 1.00x (median of 3 interleaved rounds: 1.00, 0.80, 1.00)" in line(lines, RAW)
    assert "single-run table ratio 0.67x" in line(lines, RAW)
    assert "**met**: 1.05x (median of 1 interleaved rounds: 1.05)" in line(lines, BULLMQ)
    assert "**met**: 2.00x (median of 2 interleaved rounds: 2.05, 1.95)" in line(lines, PROC)
    assert "single-run table ratio 1.50x" in line(lines, PROC)


def test_a_missing_side_of_a_pair_falls_back_to_the_single_run() -> None:
    paired = [  # huey was left out of the paired phase: only kueport and raw ran
        rounds("kueport", ENQUEUE_ONE, [5_000.0, 5_000.0, 5_000.0]),
        rounds("raw EVALSHA", ENQUEUE_ONE, [5_000.0, 5_000.0, 5_000.0]),
        rounds("kueport", PROCESS, [4_100.0]),  # dramatiq's side missing
    ]
    lines = evaluate(SINGLE + paired)
    assert line(lines, HUEY) == f"{HUEY}: **missed**: 0.80x, need >= 1x (jobs/s ratio)"
    assert "**met**: 1.00x (median of 3 interleaved rounds" in line(lines, RAW)
    assert line(lines, PROC).startswith(f"{PROC}: **missed**: 1.50x, need >= 2x (")


def test_paired_ratio_ignores_mismatched_or_failed_rounds() -> None:
    results = [
        rounds("kueport", ENQUEUE_ONE, [1.0, 2.0]),
        rounds("huey", ENQUEUE_ONE, [1.0]),
        rounds("kueport", PROCESS, [None]),
        rounds("dramatiq", PROCESS, [1.0]),
    ]
    assert paired_ratio(results, ENQUEUE_ONE, "kueport", "huey") is None
    assert paired_ratio(results, PROCESS, "kueport", "dramatiq") is None
    assert paired_ratio(results, ENQUEUE_ONE, "kueport", "raw EVALSHA") is None


def test_bulk_falls_back_to_rq_with_paired_rounds_when_bullmq_did_not_run() -> None:
    results = [
        single("kueport", "enqueue_bulk", 10_000.0),
        single("rq", "enqueue_bulk", 4_000.0),
        rounds("kueport", ENQUEUE_BULK, [9_000.0, 8_000.0, 12_000.0]),
        rounds("rq", ENQUEUE_BULK, [4_000.0, 4_000.0, 4_000.0]),
    ]
    text = line(evaluate(results), RQ)
    assert "**met**: 2.25x (median of 3 interleaved rounds: 2.25, 2.00, 3.00)" in text
    assert "single-run table ratio 2.50x" in text


def test_report_lists_each_round_in_the_order_it_ran() -> None:
    from benchmarks.peers.report import paired_rounds

    results = [
        PeerResult(
            "kueport",
            PROCESS,
            4_000.0,
            "jobs/s",
            "c64 vs t32",
            extra={"rounds": [4_000.0, None], "positions": [0, 1]},
        ),
        PeerResult(
            "dramatiq",
            PROCESS,
            2_000.0,
            "jobs/s",
            "c64 vs t32",
            extra={"rounds": [2_000.0, 1_900.0], "positions": [1, 0]},
        ),
    ]
    lines = paired_rounds(results)
    assert "| 1 | kueport, dramatiq | 4,000 | 2,000 |" in lines
    assert "| 2 | dramatiq, kueport | failed | 1,900 |" in lines
    assert "| median | | 4,000 | 2,000 |" in lines
    assert paired_rounds(SINGLE) == []


def test_a_ratio_just_under_the_target_is_not_printed_as_the_target() -> None:
    results = [
        rounds("kueport", PROCESS, [4_093.0]),
        rounds("dramatiq", PROCESS, [2_047.6]),
    ]
    assert "**missed**: 1.999x (median of 1 interleaved rounds: 2.00)" in line(
        evaluate(results), PROC
    )
