"""A job whose worker vanished (its lease ran out) is re-queued, then failed after
`max_stalled` recoveries; a worker that is alive keeps its job."""

from __future__ import annotations

import threading

import pytest

from kueport import Job, ManualClock
from kueport.domain.errors import LeaseLost
from kueport.domain.stall import STALLED, plan_stall
from kueport.ports.storage import Claim, JobStorage
from kueport.queue import Queue
from tests.contract.test_storage import claim_one, enqueue, indexes, lease_of
from tests.helpers import Recorder, wait_for

# -- storage ---------------------------------------------------------------------------------


def test_an_expired_lease_requeues_the_job_without_counting_an_attempt(
    storage: JobStorage, clock: ManualClock
) -> None:
    job = enqueue(storage, clock, max_attempts=3)
    held = storage.claim(Claim("email", "w1", lease_ms=1000), 0)[0]
    clock.advance(1)
    (expired,) = storage.lease_expired(clock.now_ms(), 10)
    assert expired.id == job.id

    back = storage.recover_stalled(job.id, lease_of(held), plan_stall(held), "lost", clock.now_ms())

    assert back is not None
    assert (back.state.value, back.attempts, back.stalled, back.lease) == ("inactive", 0, 1, None)
    assert storage.logs(job.id) == ["lost"]
    assert storage.lease_expired(clock.now_ms(), 10) == []
    assert claim_one(storage).id == job.id  # claimable again, token included


def test_a_job_that_stalls_more_than_allowed_fails_for_good(
    storage: JobStorage, clock: ManualClock
) -> None:
    job = enqueue(storage, clock, max_attempts=5)
    first = storage.claim(Claim("email", "w1", lease_ms=1000), 0)[0]
    clock.advance(1)
    storage.recover_stalled(job.id, lease_of(first), plan_stall(first, 1), "lost", clock.now_ms())
    second = storage.claim(Claim("email", "w2", lease_ms=1000), 0)[0]
    clock.advance(1)

    plan = plan_stall(second, 1)
    assert plan.failure is not None
    failed = storage.recover_stalled(job.id, lease_of(second), plan, STALLED, clock.now_ms())

    assert failed is not None
    assert (failed.state.value, failed.error, failed.attempts) == ("failed", STALLED, 1)
    assert storage.count(None) == 1 and storage.ids(failed.state) == [job.id]


def test_a_renewed_lease_is_not_taken_back(storage: JobStorage, clock: ManualClock) -> None:
    job = enqueue(storage, clock)
    held = storage.claim(Claim("email", "w1", lease_ms=1000), 0)[0]
    clock.advance(1)
    stale = storage.lease_expired(clock.now_ms(), 10)[0]
    assert storage.renew_lease(job.id, lease_of(held), clock.now_ms() + 1000)
    before = indexes(storage)

    with pytest.raises(LeaseLost):
        storage.recover_stalled(job.id, lease_of(stale), plan_stall(stale), "x", clock.now_ms())
    failure = plan_stall(stale, 0)
    with pytest.raises(LeaseLost):
        storage.recover_stalled(job.id, lease_of(stale), failure, STALLED, clock.now_ms())
    assert indexes(storage) == before
    assert storage.get(job.id).state.value == "active"  # type: ignore[union-attr]


def test_a_job_finished_meanwhile_is_left_alone(storage: JobStorage, clock: ManualClock) -> None:
    job = enqueue(storage, clock)
    held = storage.claim(Claim("email", "w1", lease_ms=1000), 0)[0]
    clock.advance(1)
    from tests.contract.test_storage import succeed

    succeed(storage, clock, held)
    with pytest.raises(LeaseLost):
        storage.recover_stalled(job.id, lease_of(held), plan_stall(held), "x", clock.now_ms())
    assert storage.get(job.id).state.value == "complete"  # type: ignore[union-attr]


# -- queue -----------------------------------------------------------------------------------


def test_the_maintenance_pass_recovers_a_job_whose_worker_is_gone(
    make_queue, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    queue: Queue = make_queue(lease=5)
    enqueued = Recorder()
    queue.on("job enqueue", enqueued)
    job = queue.create("email").save()
    lost = queue.service.claim(Claim("email", "a-dead-worker", lease_ms=5000), 0)
    assert [r.id for r in lost] == [job.id]

    clock.advance(5)
    queue.run_maintenance()

    assert job.refresh().state == "inactive"
    assert job.record is not None and job.record.stalled == 1
    assert enqueued.wait(2) == [(job.id, "email"), (job.id, "email")]  # saved, then re-queued


def test_a_running_worker_renews_its_lease_and_keeps_the_job(
    make_queue, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    queue: Queue = make_queue(lease=3)
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> str:
        started.set()
        release.wait(30)
        return "kept"

    job = queue.create("slow").save()
    queue.process("slow", slow)
    assert started.wait(10)
    for _ in range(5):  # 10 s of queue time, far past the 3 s lease, in 2 s steps
        clock.advance(2)
        queue.run_maintenance()
    release.set()

    wait_for(lambda: job.refresh().state == "complete")
    assert job.result == "kept"
    assert job.record is not None and job.record.stalled == 0


def test_taking_a_job_away_never_stops_a_newer_claim_of_it(queue: Queue) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> str:
        started.set()
        release.wait(30)
        return "finished"

    job = queue.create("slow").save()
    worker = queue.process("slow", slow)
    assert started.wait(10)
    (running,) = worker.active_jobs

    assert worker.cancel(job.id, lease="a-lease-from-an-earlier-claim") is False  # type: ignore[arg-type]
    release.set()
    wait_for(lambda: job.refresh().state == "complete")
    assert job.result == "finished"
    assert running.lease is not None
