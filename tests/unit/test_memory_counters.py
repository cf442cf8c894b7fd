"""The memory storage's per-minute counters: the minute counted last is kept at hand, and
that must never send a count to the wrong minute or keep an expired one alive."""

from __future__ import annotations

from kueport.adapters.memory.operations import MinuteCounters
from kueport.domain.throughput import COMPLETE, COUNTER_TTL_MS, FAILED, MINUTE_MS, MinuteCount

T0 = 1_700_000_040_000 - 1_700_000_040_000 % MINUTE_MS


def test_counts_land_in_the_minute_they_happened_in_whatever_the_order() -> None:
    counters = MinuteCounters()
    counters.count(T0 + 5, COMPLETE)
    counters.count(T0 + MINUTE_MS + 1, COMPLETE, 3)  # next minute
    counters.count(T0 + MINUTE_MS - 1, FAILED)  # late: back in the first minute
    counters.count(T0 + MINUTE_MS, COMPLETE)  # the second minute's first millisecond
    assert counters.read([T0, T0 + MINUTE_MS]) == [
        MinuteCount(T0, 1, 1),
        MinuteCount(T0 + MINUTE_MS, 4, 0),
    ]


def test_a_clock_stepping_back_before_the_kept_minute_counts_in_the_earlier_minute() -> None:
    counters = MinuteCounters()
    counters.count(T0 + MINUTE_MS, COMPLETE)
    counters.count(T0 + 10, COMPLETE)
    assert counters.read([T0, T0 + MINUTE_MS]) == [
        MinuteCount(T0, 1, 0),
        MinuteCount(T0 + MINUTE_MS, 1, 0),
    ]


def test_an_expired_minute_is_dropped_and_starts_afresh_if_counted_again() -> None:
    counters = MinuteCounters()
    counters.count(T0, COMPLETE, 2)
    later = T0 + COUNTER_TTL_MS
    counters.count(later, COMPLETE)  # expires T0's minute
    assert counters.read([T0]) == [MinuteCount(T0, 0, 0)]
    counters.count(T0 + 1, FAILED)  # a straggler for the expired minute
    assert counters.read([T0, later]) == [MinuteCount(T0, 0, 1), MinuteCount(later, 1, 0)]
