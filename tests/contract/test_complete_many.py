"""`JobStorage.complete_many`: the successes a worker stores together, each as `complete`."""

from __future__ import annotations

from kueport.adapters.clock import ManualClock
from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.domain.throughput import MinuteCount, minute_start
from kueport.ports.storage import Claim, Completion, JobStorage, Settled
from tests.contract.test_storage import claim, enqueue, lease_of


def test_each_job_is_completed_with_its_own_result(storage: JobStorage, clock: ManualClock):
    for n in range(3):
        enqueue(storage, clock, data={"n": n})
    held = claim(storage, limit=3)
    clock.advance(7)
    now = clock.now_ms()
    done = [Completion(r.id, lease_of(r), {"r": r.id}, plan_success(r, now)) for r in held]

    outcomes = storage.complete_many(done, now).settled

    assert outcomes == [Settled.KEPT] * 3
    for record in held:
        stored = storage.get(record.id)
        assert stored is not None and stored.result == {"r": record.id}
        assert (
            stored.state is State.COMPLETE and stored.duration == 7_000
        )  # advance() takes seconds
    assert storage.count(State.ACTIVE) == 0 and storage.count(State.COMPLETE) == 3


def test_one_lost_lease_fails_only_its_job(storage: JobStorage, clock: ManualClock):
    for _ in range(3):
        enqueue(storage, clock)
    first, second, third = claim(storage, limit=3)
    now = clock.now_ms()
    done = [
        Completion(first.id, lease_of(first), None, plan_success(first, now)),
        Completion(second.id, "someone else's lease", None, plan_success(second, now)),
        Completion(third.id, lease_of(third), None, plan_success(third, now)),
    ]

    outcomes = storage.complete_many(done, now).settled

    assert isinstance(outcomes[1], LeaseLost)
    assert storage.count(State.COMPLETE) == 2
    stored = storage.get(second.id)
    assert stored is not None and stored.state is State.ACTIVE


def test_removed_and_missing_jobs_take_their_places(storage: JobStorage, clock: ManualClock):
    kept = enqueue(storage, clock)
    removed = enqueue(storage, clock, remove_on_complete=True)
    gone = enqueue(storage, clock)
    held = {r.id: r for r in claim(storage, limit=3)}
    storage.remove(gone.id)
    now = clock.now_ms()
    done = [
        Completion(i, lease_of(held[i]), None, plan_success(held[i], now))
        for i in (kept.id, removed.id, gone.id)
    ]

    outcomes = storage.complete_many(done, now).settled

    assert outcomes[0] is Settled.KEPT
    assert outcomes[1] is Settled.REMOVED and storage.get(removed.id) is None
    assert isinstance(outcomes[2], JobNotFound)


def test_a_claim_after_the_completions_fills_the_freed_slots(
    storage: JobStorage, clock: ManualClock
):
    for n in range(5):
        enqueue(storage, clock, data={"n": n})
    held = claim(storage, limit=2)
    now = clock.now_ms()
    done = [Completion(r.id, lease_of(r), None, plan_success(r, now)) for r in held]

    batch = storage.complete_many(done, now, Claim("email", "w1", limit=2, lease_ms=30_000))

    assert batch.settled == [Settled.KEPT, Settled.KEPT]
    assert [r.data for r in batch.claimed] == [{"n": 2}, {"n": 3}]
    assert all(r.state is State.ACTIVE and r.lease and r.worker_id == "w1" for r in batch.claimed)
    assert len({lease_of(r) for r in [*held, *batch.claimed]}) == 4
    assert storage.count(State.COMPLETE) == 2 and storage.count(State.ACTIVE) == 2
    assert storage.count(State.INACTIVE) == 1


def test_the_claim_takes_what_there_is_and_nothing_from_a_paused_type(
    storage: JobStorage, clock: ManualClock
):
    enqueue(storage, clock)
    enqueue(storage, clock)
    (first,) = claim(storage, limit=1)
    now = clock.now_ms()
    refill = Claim("email", "w1", limit=3, lease_ms=30_000)

    batch = storage.complete_many(
        [Completion(first.id, lease_of(first), None, plan_success(first, now))], now, refill
    )
    assert len(batch.claimed) == 1

    (second,) = batch.claimed
    enqueue(storage, clock)
    storage.pause_type("email")
    batch = storage.complete_many(
        [Completion(second.id, lease_of(second), None, plan_success(second, now))], now, refill
    )
    assert batch.settled == [Settled.KEPT] and batch.claimed == []
    assert storage.count(State.INACTIVE) == 1


def test_counters_count_only_the_jobs_a_batch_completed(storage: JobStorage, clock: ManualClock):
    for _ in range(3):
        enqueue(storage, clock)
    first, second, third = claim(storage, limit=3)
    clock.advance(4)
    now = clock.now_ms()
    done = [
        Completion(first.id, lease_of(first), None, plan_success(first, now)),
        Completion(second.id, "someone else's lease", None, plan_success(second, now)),
        Completion(third.id, lease_of(third), None, plan_success(third, now)),
    ]

    storage.complete_many(done, now)

    assert storage.work_time() == 2 * 4_000
    assert storage.throughput([minute_start(now)]) == [MinuteCount(minute_start(now), 2, 0)]
