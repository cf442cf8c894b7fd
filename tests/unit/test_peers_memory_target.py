"""The bytes-per-queued-job target is decided by exact key sizes, not allocator noise."""

from __future__ import annotations

import redis

from benchmarks.peers.base import PeerResult
from benchmarks.peers.runner import SKIPLIST_ENTRY_SIGMA, key_bytes, skiplist_noise
from benchmarks.peers.targets import evaluate

MEMORY = "memory per queued job <= Node Kue's"


def measured(system: str, measurement: str, value: float) -> PeerResult:
    return PeerResult(system, measurement, value, "B/job")


def memory_line(results: list[PeerResult]) -> str:
    (found,) = [text for text in evaluate(results) if text.startswith(MEMORY + ":")]
    return found


def both_ways(delta: tuple[float, float], keys: tuple[float, float]) -> list[PeerResult]:
    """kueport's and Kue's `used_memory` delta and summed key sizes (no noise figure)."""
    return [
        measured("kueport", "mem_queued", delta[0]),
        measured("kue", "mem_queued", delta[1]),
        measured("kueport", "mem_queued_keys", keys[0]),
        measured("kue", "mem_queued_keys", keys[1]),
    ]


def test_identical_keys_meet_the_target_whatever_the_used_memory_noise() -> None:
    text = memory_line(both_ways((632.15, 631.99), (600.0, 600.0)))
    assert text.startswith(f"{MEMORY}: **met**: 600.00 vs 600.00")
    assert "MEMORY USAGE of the keys; used_memory delta 632.15 vs 631.99" in text


def test_bigger_keys_miss_it_even_when_used_memory_looks_smaller() -> None:
    text = memory_line(both_ways((630.0, 632.0), (601.0, 600.0)))
    assert text.startswith(f"{MEMORY}: **missed**: 601.00 vs 600.00")


def with_noise(ours: float, kue: float, sigma: float) -> list[PeerResult]:
    return [
        measured("kueport", "mem_queued_keys", ours),
        measured("kue", "mem_queued_keys", kue),
        measured("kueport", "mem_queued_keys_noise", sigma),
        measured("kue", "mem_queued_keys_noise", sigma),
    ]


def test_a_difference_within_the_skiplist_noise_is_no_difference() -> None:
    # sigma 0.15 each side: 3 sigma of the difference is 3 * 0.212 = 0.64 B
    text = memory_line(with_noise(587.85, 587.83, 0.15))
    assert text.startswith(f"{MEMORY}: **met** (equal within the measurement's noise)")
    assert "a difference of 0.02 B within 3 standard deviations (0.64 B)" in text


def test_a_difference_beyond_three_standard_deviations_misses() -> None:
    text = memory_line(with_noise(588.70, 588.00, 0.15))
    assert text.startswith(f"{MEMORY}: **missed**: 588.70 vs 588.00")


def test_without_key_sizes_on_both_sides_used_memory_decides() -> None:
    results = [
        measured("kueport", "mem_queued", 632.15),
        measured("kue", "mem_queued", 631.99),
        measured("kueport", "mem_queued_keys", 600.0),
    ]
    text = memory_line(results)
    assert text.startswith(f"{MEMORY}: **missed**: 632.15 vs 631.99")
    assert text.endswith("(bytes per queued job, kueport vs Kue, used_memory delta)")


def test_key_bytes_sums_every_key_exactly_and_repeatably(redis_client: redis.Redis) -> None:
    def fill() -> None:
        redis_client.flushall()
        for k in range(2_500):  # more than one SCAN/pipeline batch
            redis_client.hset(f"q:job:{k}", mapping={"type": "email", "data": f'{{"i": {k}}}'})
        # A small sorted set is a listpack; a big one a skiplist, whose node levels are
        # random: its MEMORY USAGE differs between identical fills by ~0.3 B per member.
        redis_client.zadd("q:jobs", {f"{k:02d}|{k}": k for k in range(100)})

    fill()
    first = key_bytes(redis_client)
    fill()
    assert key_bytes(redis_client) == first  # no allocator or buffer noise
    expected = sum(
        redis_client.memory_usage(key, samples=0) or 0 for key in redis_client.scan_iter()
    )
    assert first == expected
    redis_client.set("one-more", "x" * 100)
    assert key_bytes(redis_client) == first + redis_client.memory_usage("one-more")


def test_skiplist_noise_counts_only_the_entries_of_skiplist_sorted_sets(
    redis_client: redis.Redis,
) -> None:
    redis_client.flushall()
    redis_client.zadd("small", {f"m{k}": k for k in range(50)})  # a listpack: exact
    assert skiplist_noise(redis_client) == 0
    redis_client.zadd("big", {f"m{k}": k for k in range(400)})  # past 128 entries: a skiplist
    redis_client.hset("h", mapping={"a": "1"})
    assert skiplist_noise(redis_client) == SKIPLIST_ENTRY_SIGMA * 20  # sqrt(400)
