"""The storage contract: what every `JobStorage` adapter must do, written as specifications.

Times come from a `ManualClock`; the only real waiting is in the test proving that a blocked
claim wakes up when another thread enqueues.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kueport.adapters.clock import ManualClock
from kueport.adapters.memory import MemoryEventBus
from kueport.domain.backoff import Fixed
from kueport.domain.errors import IllegalTransition, JobNotFound, LeaseLost
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.ordering import TIMED_BASE, zid
from kueport.domain.priority import PRIORITIES
from kueport.domain.retry import plan_failure, plan_success
from kueport.domain.state import State
from kueport.ports.storage import Changes, Claim, JobStorage

# -- helpers ---------------------------------------------------------------------------------


def enqueue(
    storage: JobStorage, clock: ManualClock, job_type: str = "email", **options: Any
) -> JobRecord:
    return storage.enqueue(JobSpec(type=job_type, **options), clock.now_ms())


def claim(
    storage: JobStorage, job_type: str = "email", limit: int = 1, timeout: float = 0
) -> list[JobRecord]:
    return storage.claim(Claim(job_type=job_type, worker_id="w1", limit=limit), timeout)


def claim_one(storage: JobStorage, job_type: str = "email") -> JobRecord:
    (record,) = claim(storage, job_type)
    return record


def lease_of(record: JobRecord) -> str:
    assert record.lease is not None
    return record.lease


def fail(storage: JobStorage, clock: ManualClock, record: JobRecord, error: str = "boom") -> Any:
    now = clock.now_ms()
    return storage.fail(record.id, lease_of(record), error, plan_failure(record, now), now)


def succeed(storage: JobStorage, clock: ManualClock, record: JobRecord, result: Any = None) -> Any:
    now = clock.now_ms()
    return storage.complete(record.id, lease_of(record), result, plan_success(record, now), now)


def indexes(storage: JobStorage) -> dict[str, list[tuple[str, float]]]:
    """Every non-empty sorted set by Kue key name (a test helper each adapter provides)."""
    snapshot: dict[str, list[tuple[str, float]]] = storage.snapshot_indexes()  # type: ignore[attr-defined]
    return snapshot


def members(storage: JobStorage) -> dict[str, list[str]]:
    return {key: [m for m, _ in items] for key, items in indexes(storage).items()}


# -- claim order -----------------------------------------------------------------------------


def test_claims_critical_before_high_before_normal_before_low(storage, clock) -> None:
    for name in ("low", "normal", "high", "critical"):
        enqueue(storage, clock, priority=PRIORITIES[name], data={"name": name})

    claimed = claim(storage, limit=4)

    assert [r.data["name"] for r in claimed] == ["critical", "high", "normal", "low"]


def test_claims_in_id_order_within_a_priority(storage, clock) -> None:
    ids = [enqueue(storage, clock).id for _ in range(3)]

    assert [r.id for r in claim(storage, limit=3)] == ids


def test_equal_priorities_order_by_zid_bytes_so_9_comes_before_10(storage, clock) -> None:
    for _ in range(8):
        enqueue(storage, clock, job_type="filler")
    nine, ten = enqueue(storage, clock), enqueue(storage, clock)
    assert (nine.id, ten.id) == (9, 10)

    assert storage.ids(State.INACTIVE, "email") == [9, 10]
    assert [r.id for r in claim(storage, limit=2)] == [9, 10]


def test_a_claim_takes_only_its_own_type(storage, clock) -> None:
    enqueue(storage, clock, job_type="sms")
    email = enqueue(storage, clock, job_type="email")

    assert [r.id for r in claim(storage, "email", limit=5)] == [email.id]


def test_delayed_jobs_are_not_claimable(storage, clock) -> None:
    enqueue(storage, clock, delay_ms=1000)

    assert claim(storage) == []


# -- claiming --------------------------------------------------------------------------------


def test_a_claim_takes_at_most_its_limit(storage, clock) -> None:
    for _ in range(5):
        enqueue(storage, clock)

    assert len(claim(storage, limit=2)) == 2
    assert storage.count(State.ACTIVE) == 2
    assert storage.count(State.INACTIVE) == 3


def test_a_claimed_job_is_active_and_carries_a_fresh_lease(storage, clock) -> None:
    enqueue(storage, clock, ttl_ms=5000)
    clock.advance(2)
    now = clock.now_ms()

    first = storage.claim(Claim("email", "worker-7", lease_ms=3000), timeout=0)[0]

    assert first.state is State.ACTIVE
    assert (first.started_at, first.updated_at) == (now, now)
    assert first.worker_id == "worker-7"
    assert first.lease and first.lease_until == now + 3000
    assert first.ttl_expires_at == now + 5000
    assert storage.get(first.id) == first


def test_every_claim_gets_a_different_lease(storage, clock) -> None:
    enqueue(storage, clock)
    enqueue(storage, clock)

    assert len({r.lease for r in claim(storage, limit=2)}) == 2


def test_a_claim_with_nothing_to_take_returns_empty_after_its_timeout(storage) -> None:
    assert claim(storage, timeout=0.01) == []


def test_a_blocked_claim_wakes_up_when_another_thread_enqueues(storage, clock) -> None:
    got: list[JobRecord] = []
    waiter = threading.Thread(target=lambda: got.extend(claim(storage, timeout=30)))
    waiter.start()
    waiter.join(0.05)
    assert waiter.is_alive(), "the claim should block while nothing is inactive"

    job = enqueue(storage, clock)
    waiter.join(30)

    assert not waiter.is_alive()
    assert [r.id for r in got] == [job.id]


def test_closing_the_storage_releases_blocked_claims_empty_handed(storage) -> None:
    got: list[list[JobRecord]] = []
    waiter = threading.Thread(target=lambda: got.append(claim(storage, timeout=30)))
    waiter.start()
    waiter.join(0.05)

    storage.close()
    waiter.join(30)

    assert got == [[]]


# -- counts and ranges ----------------------------------------------------------------------


def test_counts_per_state_and_per_type(storage, clock) -> None:
    enqueue(storage, clock, job_type="email")
    enqueue(storage, clock, job_type="email", delay_ms=1000)
    enqueue(storage, clock, job_type="sms")
    claim_one(storage, "sms")

    assert storage.count() == 3
    assert storage.count(State.INACTIVE) == 1
    assert storage.count(State.DELAYED) == 1
    assert storage.count(State.ACTIVE) == 1
    assert storage.count(State.COMPLETE) == 0
    assert storage.count(job_type="email") == 2
    assert storage.count(State.DELAYED, "email") == 1
    assert storage.count(State.ACTIVE, "email") == 0
    assert storage.count(State.INACTIVE, "unknown") == 0


def _mixed_priorities(storage: JobStorage, clock: ManualClock) -> None:
    """Ids 1..4 with priorities low, high, normal, critical: rank order is 4, 2, 3, 1."""
    for name in ("low", "high", "normal", "critical"):
        enqueue(storage, clock, priority=PRIORITIES[name])


def test_range_picks_ranks_by_score_then_sorts_them_by_id(storage, clock) -> None:
    _mixed_priorities(storage, clock)

    assert [r.id for r in storage.range(State.INACTIVE, None, 0, 1)] == [2, 4]
    assert [r.id for r in storage.range(State.INACTIVE, None, 0, 1, "desc")] == [4, 2]


def test_range_counts_negative_ranks_from_the_end_and_stop_is_inclusive(storage, clock) -> None:
    _mixed_priorities(storage, clock)

    assert [r.id for r in storage.range(State.INACTIVE, None, 0, -1)] == [1, 2, 3, 4]
    assert [r.id for r in storage.range(State.INACTIVE, None, -2, -1)] == [1, 3]
    assert [r.id for r in storage.range(State.INACTIVE, None, 2, 100)] == [1, 3]
    assert storage.range(State.INACTIVE, None, 3, 1) == []
    assert storage.range(State.INACTIVE, None, 10, 20) == []


def test_range_without_a_state_reads_all_jobs_by_priority(storage, clock) -> None:
    _mixed_priorities(storage, clock)
    claim_one(storage)  # job 4 becomes active: still in the all-jobs set

    assert [r.id for r in storage.range(None, None, 0, 0)] == [4]
    assert [r.id for r in storage.range(None, None, 0, 2, "desc")] == [4, 3, 2]


def test_range_of_one_type(storage, clock) -> None:
    enqueue(storage, clock, job_type="sms")
    email = enqueue(storage, clock, job_type="email")

    assert [r.id for r in storage.range(State.INACTIVE, "email", 0, -1)] == [email.id]
    assert [r.id for r in storage.range(None, "email", 0, -1)] == [email.id]


def test_ids_follow_the_state_order(storage, clock) -> None:
    _mixed_priorities(storage, clock)

    assert storage.ids(State.INACTIVE) == [4, 2, 3, 1]
    assert storage.ids(State.COMPLETE) == []


# -- index layout ----------------------------------------------------------------------------


def test_indexes_use_kue_scores(storage, clock) -> None:
    """jobs by priority, jobs:delayed by promote_at, jobs:active by TTL deadline or -|priority|,
    and every per-type set by priority."""
    delayed = enqueue(storage, clock, job_type="later", priority=-10, delay_ms=5000)
    enqueue(storage, clock, job_type="ttl", priority=10, ttl_ms=2000)
    enqueue(storage, clock, job_type="plain", priority=10)
    with_ttl, plain = claim_one(storage, "ttl"), claim_one(storage, "plain")

    assert indexes(storage) == {
        "jobs": [(zid(1), -10), (zid(2), 10), (zid(3), 10)],
        "jobs:active": [(zid(3), -10), (zid(2), TIMED_BASE + with_ttl.ttl_expires_at)],
        "jobs:delayed": [(zid(1), delayed.promote_at)],
        "jobs:later:delayed": [(zid(1), -10)],
        "jobs:plain:active": [(zid(3), 10)],
        "jobs:ttl:active": [(zid(2), 10)],
    }
    assert plain.ttl_expires_at is None


# -- leases ----------------------------------------------------------------------------------


def test_complete_with_a_wrong_lease_is_refused_and_changes_nothing(storage, clock) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    before = indexes(storage)

    with pytest.raises(LeaseLost):
        storage.complete(held.id, "not-the-lease", None, plan_success(held, 0), clock.now_ms())

    assert storage.get(held.id) == held
    assert indexes(storage) == before


def test_fail_with_a_wrong_lease_is_refused_and_changes_nothing(storage, clock) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    now = clock.now_ms()

    with pytest.raises(LeaseLost):
        storage.fail(held.id, "not-the-lease", "boom", plan_failure(held, now), now)

    assert storage.get(held.id) == held
    assert storage.logs(held.id) == []


def test_a_lease_is_lost_when_the_job_is_moved_away(storage, clock) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    storage.move(held.id, State.INACTIVE, clock.now_ms())

    with pytest.raises(LeaseLost):
        succeed(storage, clock, held)
    assert storage.renew_lease(held.id, lease_of(held), clock.now_ms() + 1000) is False


def test_writes_to_a_missing_job_raise_job_not_found(storage, clock) -> None:
    now = clock.now_ms()
    with pytest.raises(JobNotFound):
        storage.complete(
            99, "lease", None, plan_success(JobRecord(99, "t", {}, State.ACTIVE), now), now
        )
    with pytest.raises(JobNotFound):
        storage.update(99, Changes(priority=1), now)
    with pytest.raises(JobNotFound):
        storage.move(99, State.INACTIVE, now)
    with pytest.raises(JobNotFound):
        storage.append_log(99, "line", now)
    with pytest.raises(JobNotFound):
        storage.set_progress(99, None, 50, None, now)


def test_renewing_a_held_lease_extends_it(storage, clock) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    until = clock.now_ms() + 90_000

    assert storage.renew_lease(held.id, lease_of(held), until) is True
    assert storage.get(held.id).lease_until == until  # type: ignore[union-attr]
    assert storage.renew_lease(held.id, "other", until) is False


def test_lease_expired_lists_active_jobs_whose_lease_ran_out(storage, clock) -> None:
    enqueue(storage, clock)
    enqueue(storage, clock)
    first, second = claim(storage, limit=2)
    clock.advance(31)
    storage.renew_lease(second.id, lease_of(second), clock.now_ms() + 30_000)

    assert [r.id for r in storage.lease_expired(clock.now_ms(), 10)] == [first.id]
    assert storage.lease_expired(clock.now_ms(), 0) == []


# -- completing ------------------------------------------------------------------------------


def test_complete_records_the_success(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=3)
    held = claim_one(storage)
    clock.advance(1.5)

    done = succeed(storage, clock, held, result={"sent": True})

    assert done.state is State.COMPLETE
    assert (done.attempts, done.duration, done.progress) == (1, 1500, 100)
    assert done.result == {"sent": True}
    assert (done.lease, done.lease_until, done.ttl_expires_at) == (None, None, None)
    assert storage.ids(State.COMPLETE) == [held.id]
    assert storage.count(State.ACTIVE) == 0


def test_work_time_is_none_until_the_first_completion_then_sums_durations(storage, clock) -> None:
    assert storage.work_time() is None
    enqueue(storage, clock)
    enqueue(storage, clock)
    first, second = claim(storage, limit=2)
    clock.advance(1)
    succeed(storage, clock, first)
    clock.advance(2)
    succeed(storage, clock, second)

    assert storage.work_time() == 1000 + 3000


def test_complete_with_remove_on_complete_deletes_the_job(storage, clock) -> None:
    enqueue(storage, clock, remove_on_complete=True)
    held = claim_one(storage)
    storage.append_log(held.id, "working", clock.now_ms())
    clock.advance(1)

    assert succeed(storage, clock, held) is None
    assert storage.get(held.id) is None
    assert storage.logs(held.id) == []
    assert indexes(storage) == {}
    assert storage.work_time() == 1000


# -- failing ---------------------------------------------------------------------------------


def test_a_failure_with_attempts_left_and_no_backoff_requeues_at_once(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=3)
    held = claim_one(storage)
    clock.advance(1)

    again = fail(storage, clock, held, "Error: boom")

    assert again.state is State.INACTIVE
    assert (again.attempts, again.error, again.failed_at) == (1, "Error: boom", clock.now_ms())
    assert again.lease is None
    assert [r.id for r in claim(storage)] == [held.id]


def test_a_failure_with_backoff_waits_in_delayed(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=2, backoff=Fixed(delay=5))
    held = claim_one(storage)

    again = fail(storage, clock, held)

    assert again.state is State.DELAYED
    assert (again.delay_ms, again.promote_at) == (5000, clock.now_ms() + 5000)
    assert indexes(storage)["jobs:delayed"] == [(zid(held.id), again.promote_at)]
    assert claim(storage) == []


def test_the_last_failure_is_final(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=1)
    held = claim_one(storage)

    final = fail(storage, clock, held)

    assert final.state is State.FAILED
    assert final.attempts == 1
    assert storage.ids(State.FAILED, "email") == [held.id]


def test_a_final_failure_with_remove_on_fail_deletes_the_job(storage, clock) -> None:
    enqueue(storage, clock, remove_on_fail=True)

    assert fail(storage, clock, claim_one(storage)) is None
    assert indexes(storage) == {}


def test_remove_on_fail_keeps_a_job_that_will_retry(storage, clock) -> None:
    enqueue(storage, clock, remove_on_fail=True, max_attempts=2)

    assert fail(storage, clock, claim_one(storage)).state is State.INACTIVE


def test_a_failure_logs_the_first_line_of_the_error(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=2)
    held = claim_one(storage)

    fail(storage, clock, held, "Error: boom\n    at send (mail.py:3)")

    assert storage.logs(held.id) == ["Error: boom"]
    assert storage.get(held.id).error == "Error: boom\n    at send (mail.py:3)"  # type: ignore[union-attr]


# -- delayed jobs ----------------------------------------------------------------------------


def test_promote_due_moves_only_jobs_whose_time_has_come(storage, clock) -> None:
    soon = enqueue(storage, clock, delay_ms=1000)
    enqueue(storage, clock, delay_ms=60_000)
    clock.advance(1)

    promoted = storage.promote_due(clock.now_ms(), 100)

    assert [(r.id, r.state) for r in promoted] == [(soon.id, State.INACTIVE)]
    assert storage.count(State.DELAYED) == 1
    assert [r.id for r in claim(storage)] == [soon.id]


def test_promote_due_takes_the_earliest_first_up_to_its_limit(storage, clock) -> None:
    later = enqueue(storage, clock, delay_ms=2000)
    earlier = enqueue(storage, clock, delay_ms=1000)
    clock.advance(5)

    assert [r.id for r in storage.promote_due(clock.now_ms(), 1)] == [earlier.id]
    assert [r.id for r in storage.promote_due(clock.now_ms(), 1)] == [later.id]
    assert storage.promote_due(clock.now_ms(), 1) == []


# -- TTL and progress ------------------------------------------------------------------------


def test_ttl_expired_lists_active_jobs_past_their_deadline(storage, clock) -> None:
    enqueue(storage, clock, ttl_ms=1000)
    enqueue(storage, clock)
    with_ttl, _without = claim(storage, limit=2)

    assert storage.ttl_expired(clock.now_ms() + 999, 10) == []
    clock.advance(1)
    assert [r.id for r in storage.ttl_expired(clock.now_ms(), 10)] == [with_ttl.id]


def test_progress_pushes_the_ttl_deadline_back(storage, clock) -> None:
    enqueue(storage, clock, ttl_ms=1000)
    held = claim_one(storage)
    clock.advance(0.8)

    moved = storage.set_progress(held.id, lease_of(held), 40, {"step": 2}, clock.now_ms())

    assert (moved.progress, moved.progress_data) == (40, {"step": 2})
    assert moved.ttl_expires_at == clock.now_ms() + 1000
    assert indexes(storage)["jobs:active"] == [(zid(held.id), TIMED_BASE + moved.ttl_expires_at)]
    clock.advance(0.5)
    assert storage.ttl_expired(clock.now_ms(), 10) == []


def test_progress_with_a_wrong_lease_is_refused_but_unfenced_progress_is_stored(
    storage, clock
) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)

    with pytest.raises(LeaseLost):
        storage.set_progress(held.id, "other", 10, None, clock.now_ms())
    assert storage.set_progress(held.id, None, 20, None, clock.now_ms()).progress == 20


def test_append_log_keeps_lines_in_order(storage, clock) -> None:
    job = enqueue(storage, clock)
    clock.advance(1)
    storage.append_log(job.id, "one", clock.now_ms())
    storage.append_log(job.id, "two", clock.now_ms())

    assert storage.logs(job.id) == ["one", "two"]
    assert storage.get(job.id).updated_at == clock.now_ms()  # type: ignore[union-attr]


def test_reconcile_tokens_has_nothing_to_fix_on_a_healthy_store(storage, clock) -> None:
    enqueue(storage, clock)

    assert storage.reconcile_tokens() == 0


# -- moves by hand ---------------------------------------------------------------------------


def test_moves_outside_the_state_table_are_refused(storage, clock) -> None:
    enqueue(storage, clock)
    done = succeed(storage, clock, claim_one(storage))

    with pytest.raises(IllegalTransition):
        storage.move(done.id, State.ACTIVE, clock.now_ms())
    assert storage.get(done.id) == done


def test_moving_to_delayed_sets_promote_at(storage, clock) -> None:
    first = enqueue(storage, clock, delay_ms=0)
    second = enqueue(storage, clock)
    now = clock.now_ms()

    assert storage.move(first.id, State.DELAYED, now).promote_at == now  # no delay of its own
    assert storage.move(second.id, State.DELAYED, now, promote_at=now + 42).promote_at == now + 42
    assert storage.ids(State.DELAYED) == [first.id, second.id]


@pytest.mark.parametrize("made", ["inactive", "delayed", "complete", "failed"])
def test_no_job_is_moved_to_active_by_hand_and_a_refused_move_changes_nothing(
    storage, clock, made
) -> None:
    """Only a claim makes a job active: it gives the job the lease that lets a sweep take it
    back from a dead worker. Made active by hand, a job would stay there for good."""
    job = enqueue(storage, clock, delay_ms=5000 if made == "delayed" else 0)
    if made in ("complete", "failed"):
        storage.move(job.id, State(made), clock.now_ms())
    before = storage.get(job.id)
    clock.advance(1)

    with pytest.raises(IllegalTransition):
        storage.move(job.id, State.ACTIVE, clock.now_ms())

    assert storage.get(job.id) == before
    assert storage.count(State.ACTIVE) == 0


def test_moving_to_inactive_makes_the_job_claimable_again(storage, clock) -> None:
    enqueue(storage, clock)
    failed = fail(storage, clock, claim_one(storage))

    storage.move(failed.id, State.INACTIVE, clock.now_ms())

    assert [r.id for r in claim(storage)] == [failed.id]


def test_a_same_state_move_changes_nothing_but_updated_at(storage, clock) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    before = indexes(storage)
    clock.advance(1)

    again = storage.move(held.id, State.ACTIVE, clock.now_ms())

    assert again.lease == held.lease and again.updated_at == clock.now_ms()
    assert indexes(storage) == before


# -- updates ---------------------------------------------------------------------------------


def test_a_new_delay_counts_from_created_at(storage, clock) -> None:
    job = enqueue(storage, clock, delay_ms=1000)
    clock.advance(10)

    updated = storage.update(job.id, Changes(delay_ms=5000), clock.now_ms())

    assert updated.promote_at == job.created_at + 5000
    assert indexes(storage)["jobs:delayed"] == [(zid(job.id), job.created_at + 5000)]


def test_a_new_delay_counts_from_failed_at_once_the_job_failed(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=2, backoff=Fixed(delay=1))
    clock.advance(10)
    failed = fail(storage, clock, claim_one(storage))

    updated = storage.update(failed.id, Changes(delay_ms=3000), clock.now_ms() + 5)

    assert updated.promote_at == failed.failed_at + 3000


def test_a_new_priority_rescores_every_set(storage, clock) -> None:
    job = enqueue(storage, clock, priority=0)

    storage.update(job.id, Changes(priority=-15), clock.now_ms())

    assert indexes(storage) == {
        "jobs": [(zid(job.id), -15)],
        "jobs:inactive": [(zid(job.id), -15)],
        "jobs:email:inactive": [(zid(job.id), -15)],
    }


def test_data_is_replaced_only_when_asked(storage, clock) -> None:
    job = enqueue(storage, clock, data={"to": "a"})

    kept = storage.update(job.id, Changes(max_attempts=3), clock.now_ms())
    replaced = storage.update(job.id, Changes(data={"to": "b"}, replace_data=True), clock.now_ms())

    assert (kept.data, kept.max_attempts) == ({"to": "a"}, 3)
    assert replaced.data == {"to": "b"}


# -- removal, types --------------------------------------------------------------------------


def test_remove_deletes_the_job_its_log_and_every_index_entry(storage, clock) -> None:
    keep = enqueue(storage, clock, job_type="sms")
    gone = enqueue(storage, clock, delay_ms=1000)
    storage.append_log(gone.id, "line", clock.now_ms())

    assert storage.remove(gone.id) == gone
    assert storage.get(gone.id) is None
    assert storage.logs(gone.id) == []
    assert members(storage) == {
        "jobs": [zid(keep.id)],
        "jobs:inactive": [zid(keep.id)],
        "jobs:sms:inactive": [zid(keep.id)],
    }
    assert storage.remove(gone.id) is None


def test_types_lists_every_type_ever_enqueued_sorted(storage, clock) -> None:
    for job_type in ("sms", "email", "sms"):
        enqueue(storage, clock, job_type=job_type)
    storage.remove(1)

    assert storage.types() == ["email", "sms"]


def test_ids_start_at_one_and_are_never_reused(storage, clock) -> None:
    first = enqueue(storage, clock)
    storage.remove(first.id)

    assert (first.id, enqueue(storage, clock).id) == (1, 2)


def test_a_new_job_is_stamped_with_now(storage, clock) -> None:
    job = enqueue(storage, clock, delay_ms=250, ttl_ms=1000, max_attempts=4, priority=-5)
    now = clock.now_ms()

    assert job.state is State.DELAYED
    assert (job.created_at, job.updated_at, job.promote_at) == (now, now, now + 250)
    assert (job.delay_ms, job.ttl_ms, job.max_attempts, job.priority) == (250, 1000, 4, -5)
    assert storage.get(job.id) == job


# -- event bus (memory) ----------------------------------------------------------------------


def event(job_id: int, name: EventName = EventName.ENQUEUE) -> JobEvent:
    return JobEvent(job_id, name, ("email",))


def test_event_bus_delivers_in_publish_order_to_every_subscriber() -> None:
    bus = MemoryEventBus()
    first: list[int] = []
    second: list[int] = []
    bus.subscribe(lambda e: first.append(e.job_id))
    bus.subscribe(lambda e: second.append(e.job_id))

    for job_id in (1, 2, 3):
        bus.publish(event(job_id))

    assert first == second == [1, 2, 3]


def test_a_raising_handler_does_not_stop_delivery_to_the_others() -> None:
    errors: list[tuple[str, int]] = []
    bus = MemoryEventBus(on_error=lambda exc, e: errors.append((str(exc), e.job_id)))
    seen: list[int] = []

    def broken(_: JobEvent) -> None:
        raise RuntimeError("handler bug")

    bus.subscribe(broken)
    bus.subscribe(lambda e: seen.append(e.job_id))
    bus.publish(event(7))

    assert seen == [7]
    assert errors == [("handler bug", 7)]


def test_closing_a_subscription_stops_delivery_and_can_be_repeated() -> None:
    bus = MemoryEventBus()
    seen: list[int] = []
    subscription = bus.subscribe(lambda e: seen.append(e.job_id))
    bus.publish(event(1))

    subscription.close()
    subscription.close()
    bus.publish(event(2))

    assert seen == [1]


def test_an_event_published_by_a_handler_reaches_everyone_after_the_current_one() -> None:
    bus = MemoryEventBus()
    seen: list[tuple[str, str]] = []

    def remover(e: JobEvent) -> None:
        seen.append(("remover", e.name.value))
        if e.name is EventName.COMPLETE:
            bus.publish(event(e.job_id, EventName.REMOVE))

    bus.subscribe(remover)
    bus.subscribe(lambda e: seen.append(("other", e.name.value)))
    bus.publish(event(1, EventName.COMPLETE))

    assert seen == [
        ("remover", "complete"),
        ("other", "complete"),
        ("remover", "remove"),
        ("other", "remove"),
    ]


def test_a_closed_bus_delivers_nothing() -> None:
    bus = MemoryEventBus()
    seen: list[int] = []
    bus.subscribe(lambda e: seen.append(e.job_id))

    bus.close()
    bus.publish(event(1))

    assert seen == []
