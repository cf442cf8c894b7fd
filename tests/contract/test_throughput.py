"""Throughput counters: every complete and every failed attempt is counted in its minute."""

from __future__ import annotations

import pytest

from kueport.adapters.clock import ManualClock
from kueport.domain.retry import plan_failure
from kueport.domain.throughput import (
    COUNTER_TTL_MS,
    MINUTE_MS,
    InvalidWindow,
    MinuteCount,
    minute_start,
    window,
)
from kueport.ports.storage import JobStorage
from kueport.queue import Queue
from tests.contract.ops_helpers import claimed, completed, failed


def test_completions_and_failures_are_counted_in_their_minute(
    storage: JobStorage, clock: ManualClock
) -> None:
    first = minute_start(clock.now_ms())
    completed(storage, clock)
    completed(storage, clock)
    failed(storage, clock)
    clock.advance(120)  # two minutes later
    failed(storage, clock)

    counts = storage.throughput([first, first + MINUTE_MS, first + 2 * MINUTE_MS])

    assert counts == [
        MinuteCount(first, complete=2, failed=1),
        MinuteCount(first + MINUTE_MS),
        MinuteCount(first + 2 * MINUTE_MS, complete=0, failed=1),
    ]


def test_a_failure_that_will_retry_counts_too(storage: JobStorage, clock: ManualClock) -> None:
    record = claimed(storage, clock, "email", max_attempts=3)
    now = clock.now_ms()
    storage.fail(record.id, record.lease, "boom", plan_failure(record, now), now)

    assert storage.throughput([minute_start(now)]) == [MinuteCount(minute_start(now), 0, 1)]


def test_queue_throughput_lists_every_minute_oldest_first(queue: Queue) -> None:
    clock = queue.clock
    assert isinstance(clock, ManualClock)
    completed(queue.service.storage, clock)
    clock.advance(60)

    counts = queue.throughput(minutes=3)

    assert [c.minute for c in counts] == window(clock.now_ms(), 3)
    assert counts[-1].minute == minute_start(clock.now_ms())
    assert [(c.complete, c.failed) for c in counts] == [(0, 0), (1, 0), (0, 0)]


@pytest.mark.parametrize("minutes", [0, -1, 1441, 2.5, True, "60"])
def test_queue_throughput_refuses_a_window_outside_one_day(queue: Queue, minutes: object) -> None:
    with pytest.raises(InvalidWindow):
        queue.throughput(minutes=minutes)  # type: ignore[arg-type]


def test_counters_do_not_outlive_a_day(storage: JobStorage, clock: ManualClock) -> None:
    """Memory drops them as it counts; Redis gives each counter key a 25-hour lifetime."""
    old = minute_start(clock.now_ms())
    completed(storage, clock)
    client = getattr(storage, "_client", None)
    if client is not None:
        keys = storage._keys  # type: ignore[attr-defined]
        ttl = client.pttl(keys.throughput(old, "complete"))
        assert 0 < ttl <= COUNTER_TTL_MS
        return
    clock.advance(COUNTER_TTL_MS / 1000)
    completed(storage, clock)
    assert storage.throughput([old]) == [MinuteCount(old)]
