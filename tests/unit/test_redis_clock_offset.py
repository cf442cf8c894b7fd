"""The clock offset a claim behind a blocking pop stamps jobs with: the best recent sample.

One `TIME` round trip bounds the offset of this machine's clock from the server's to within
half the round trip; a loaded machine's round trips are slow, so the estimate kept is the
sample with the smallest bound, a bound that grows with the sample's age by the most two
disciplined clocks drift apart.
"""

from __future__ import annotations

from kueport.adapters.redis.clock_offset import (
    MAX_DRIFT,
    OffsetSample,
    clock_offset_us,
    kept,
    measured,
)

SECOND_NS = 1_000_000_000


def sample(offset_us: int, error_us: int, taken_s: float) -> OffsetSample:
    return OffsetSample(offset_us, error_us, int(taken_s * SECOND_NS))


def test_the_offset_is_taken_halfway_through_the_round_trip() -> None:
    sent, received = 10_000_000_000_000, 10_000_000_004_000  # ns: 4 µs apart
    assert clock_offset_us(sent, received, 10_000, 2) == 0  # the server read 2 µs in
    assert clock_offset_us(sent, received, 9_999, 2) == 1_000_000  # a second behind us


def test_a_sample_is_right_to_within_half_its_round_trip_on_the_monotonic_clock() -> None:
    wall, mono = 10_000 * SECOND_NS, 5 * SECOND_NS
    got = measured((wall, mono), (wall + 6_000_000, mono + 6_000_000), 10_000, 3_000)
    assert got == OffsetSample(offset_us=0, error_us=3_001, taken_ns=mono + 6_000_000)


def test_a_wall_clock_stepped_during_the_round_trip_does_not_shrink_its_error() -> None:
    wall, mono = 10_000 * SECOND_NS, 5 * SECOND_NS
    got = measured((wall, mono), (wall - SECOND_NS, mono + 2_000_000), 10_000, 0)
    assert got.error_us == 1_001


def test_the_first_sample_is_kept() -> None:
    first = sample(120, 400, 1.0)
    assert kept(None, first) is first


def test_a_sample_from_a_slower_round_trip_does_not_replace_a_better_one() -> None:
    fast = sample(120, 50, 1.0)
    slow = sample(-900, 2_000, 1.5)  # a loaded moment: the midpoint is a millisecond off
    assert kept(fast, slow) is fast


def test_a_sample_from_a_faster_round_trip_replaces_the_one_kept() -> None:
    slow = sample(-900, 2_000, 1.0)
    fast = sample(120, 50, 1.5)
    assert kept(slow, fast) is fast


def test_a_kept_sample_loses_its_precision_as_it_ages() -> None:
    fast = sample(120, 50, 0.0)
    assert fast.bound_us(10 * SECOND_NS) == 50 + 10_000_000 * MAX_DRIFT  # 5 ms after 10 s
    later = sample(130, 400, 10.0)  # a slower round trip, but 10 s fresher
    assert kept(fast, later) is later


def test_samples_that_cannot_both_be_right_mean_a_clock_was_stepped_so_the_fresh_one_wins() -> None:
    before_step = sample(120, 50, 1.0)
    after_step = sample(1_000_120, 400, 1.5)  # this machine's clock was set a second ahead
    assert kept(before_step, after_step) is after_step
