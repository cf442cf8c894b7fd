"""`JobStorage.complete_many`: the successes a worker stores together, each as `complete`."""

from __future__ import annotations

from kueport.adapters.clock import ManualClock
from kueport.domain.errors import JobNotFound, LeaseLost
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.ports.storage import Completion, JobStorage, Settled
from tests.contract.test_storage import claim, enqueue, lease_of


def test_each_job_is_completed_with_its_own_result(storage: JobStorage, clock: ManualClock):
    for n in range(3):
        enqueue(storage, clock, data={"n": n})
    held = claim(storage, limit=3)
    clock.advance(7)
    now = clock.now_ms()
    done = [Completion(r.id, lease_of(r), {"r": r.id}, plan_success(r, now)) for r in held]

    outcomes = storage.complete_many(done, now)

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

    outcomes = storage.complete_many(done, now)

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

    outcomes = storage.complete_many(done, now)

    assert outcomes[0] is Settled.KEPT
    assert outcomes[1] is Settled.REMOVED and storage.get(removed.id) is None
    assert isinstance(outcomes[2], JobNotFound)
