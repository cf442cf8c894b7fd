"""`JobStorage.enqueue_batches`: bulk saves, batch after batch, each heard once it is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kueport.adapters.clock import ManualClock
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.state import State
from kueport.ports.storage import EnqueueBatch, JobStorage


def batch(clock: ManualClock, first: int, size: int, delay_ms: int = 0) -> EnqueueBatch:
    specs = [JobSpec("email", {"n": n}, delay_ms=delay_ms) for n in range(first, first + size)]
    return EnqueueBatch(specs, clock.now_ms())


def test_each_batch_is_heard_in_order_with_ascending_ids(storage: JobStorage, clock: ManualClock):
    batches = [batch(clock, 0, 3), batch(clock, 3, 2), batch(clock, 5, 4)]
    heard: list[tuple[EnqueueBatch, list[JobRecord]]] = []

    storage.enqueue_batches(batches, lambda b, records: heard.append((b, records)))

    assert [b for b, _ in heard] == batches
    records = [record for _, stored in heard for record in stored]
    assert [r.data for r in records] == [{"n": n} for n in range(9)]
    assert [r.id for r in records] == sorted({r.id for r in records})
    for record in records:
        assert storage.get(record.id) == record
    assert storage.count(State.INACTIVE) == 9


def test_delayed_and_inactive_jobs_are_stored_as_enqueue_stores_them(
    storage: JobStorage, clock: ManualClock
):
    heard: list[JobRecord] = []

    storage.enqueue_batches(
        [batch(clock, 0, 2, delay_ms=60_000), batch(clock, 2, 2)],
        lambda _, records: heard.extend(records),
    )

    assert [r.state for r in heard] == [State.DELAYED] * 2 + [State.INACTIVE] * 2
    assert heard[0].promote_at == clock.now_ms() + 60_000
    assert storage.count(State.DELAYED) == 2 and storage.count(State.INACTIVE) == 2


def test_batches_are_taken_from_the_iterable_as_they_are_sent(
    storage: JobStorage, clock: ManualClock
):
    """The iterable is read lazily: a batch is built only once storage asks for it, and never
    more than one batch ahead of what has been heard."""
    taken: list[int] = []
    heard: list[int] = []

    def batches() -> Iterator[EnqueueBatch]:
        for k in range(4):
            taken.append(k)
            assert len(taken) - len(heard) <= 2, "more than one batch sent ahead"
            yield batch(clock, 10 * k, 3)

    storage.enqueue_batches(batches(), lambda _, records: heard.append(records[0].data["n"]))

    assert taken == [0, 1, 2, 3] and heard == [0, 10, 20, 30]


def test_an_error_from_the_listener_stops_the_batches_after_it(
    storage: JobStorage, clock: ManualClock
):
    """The batch whose listener failed is stored; at most one batch more (already on its
    way) is stored too, and nothing after that."""

    def refuse_second(b: EnqueueBatch, records: list[JobRecord]) -> None:
        if records[0].data == {"n": 3}:
            raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError, match="listener failed"):
        storage.enqueue_batches([batch(clock, 3 * k, 3) for k in range(5)], refuse_second)

    assert storage.count(State.INACTIVE) in (6, 9)
    later = {r.data["n"] for r in storage.range(State.INACTIVE, None, 0, -1) if r.data["n"] >= 9}
    assert later == set()


def test_the_storage_is_usable_after_a_listener_error(storage: JobStorage, clock: ManualClock):
    def fail(b: EnqueueBatch, records: list[JobRecord]) -> None:
        raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError):
        storage.enqueue_batches([batch(clock, 0, 2), batch(clock, 2, 2)], fail)

    after = storage.enqueue(JobSpec("email", {"n": 99}), clock.now_ms())
    assert storage.get(after.id) == after
    others = [r.id for r in storage.range(State.INACTIVE, None, 0, -1) if r.id != after.id]
    assert after.id > max(others)
