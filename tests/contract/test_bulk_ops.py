"""Operator bulk actions on every adapter: retry failed jobs, promote delayed ones, remove
completed ones; each job moves atomically and announces what Kue would."""

from __future__ import annotations

import pytest

from kueport import State
from kueport.adapters.clock import ManualClock
from kueport.domain.errors import InvalidJobOption
from kueport.ports.storage import Claim, JobStorage
from kueport.queue import Queue
from tests.contract.ops_helpers import completed, delayed, failed
from tests.helpers import Recorder


def tokens_match(storage: JobStorage, job_type: str) -> bool:
    """On Redis, exactly one wake-up token per inactive job (memory has no tokens)."""
    count = getattr(storage, "token_count", None)
    return count is None or count(job_type) == storage.count(State.INACTIVE, job_type)


def test_retry_failed_requeues_every_failed_job_with_its_attempts_reset(
    storage: JobStorage, clock: ManualClock
) -> None:
    first, second = failed(storage, clock), failed(storage, clock)
    clock.advance(1)

    moved = storage.retry_failed(None, clock.now_ms(), 100)

    assert sorted(r.id for r in moved) == [first, second]
    for job_id in (first, second):
        record = storage.get(job_id)
        assert record is not None
        assert record.state is State.INACTIVE
        assert record.attempts == 0 and record.attempts_info.remaining == 1
        assert record.error == "Error: boom"  # kept, as Kue keeps it
        assert record.updated_at == clock.now_ms()
    assert storage.count(State.FAILED) == 0
    assert storage.ids(State.INACTIVE, "email") == [first, second]
    assert tokens_match(storage, "email")
    claimed = storage.claim(Claim("email", "w2", limit=5), timeout=0)
    assert [r.id for r in claimed] == [first, second]


def test_retry_failed_of_one_type_leaves_the_others(
    storage: JobStorage, clock: ManualClock
) -> None:
    email, sms = failed(storage, clock, "email"), failed(storage, clock, "sms")

    moved = storage.retry_failed("sms", clock.now_ms(), 100)

    assert [r.id for r in moved] == [sms]
    assert storage.ids(State.FAILED) == [email]
    assert storage.ids(State.INACTIVE) == [sms]
    assert tokens_match(storage, "sms") and tokens_match(storage, "email")


def test_retry_failed_moves_at_most_the_limit(storage: JobStorage, clock: ManualClock) -> None:
    ids = [failed(storage, clock) for _ in range(3)]

    moved = storage.retry_failed(None, clock.now_ms(), 2)

    assert [r.id for r in moved] == ids[:2]
    assert storage.ids(State.FAILED) == ids[2:]
    assert storage.retry_failed(None, clock.now_ms(), 0) == []


def test_promote_delayed_promotes_now_whatever_the_promote_at(
    storage: JobStorage, clock: ManualClock
) -> None:
    email, sms = delayed(storage, clock, "email"), delayed(storage, clock, "sms")

    assert [r.id for r in storage.promote_delayed("email", clock.now_ms(), 100)] == [email]
    assert storage.ids(State.DELAYED) == [sms]
    assert [r.id for r in storage.promote_delayed(None, clock.now_ms(), 100)] == [sms]
    assert storage.ids(State.INACTIVE) == [email, sms]
    assert tokens_match(storage, "email") and tokens_match(storage, "sms")
    record = storage.get(email)
    assert record is not None and record.state is State.INACTIVE


def test_bulk_moves_leave_jobs_in_other_states_alone(
    storage: JobStorage, clock: ManualClock
) -> None:
    done = completed(storage, clock)
    waiting = delayed(storage, clock)

    assert storage.retry_failed(None, clock.now_ms(), 100) == []
    assert storage.ids(State.COMPLETE) == [done]
    assert storage.ids(State.DELAYED) == [waiting]


def test_clean_of_one_type_keeps_the_other_types(storage: JobStorage, clock: ManualClock) -> None:
    email, sms = completed(storage, clock, "email"), completed(storage, clock, "sms")

    removed = storage.clean(
        State.COMPLETE, older_than=None, keep=0, limit=100, now=clock.now_ms(), job_type="sms"
    )

    assert [r.id for r in removed] == [sms]
    assert storage.ids(State.COMPLETE) == [email]
    assert storage.get(sms) is None


def test_queue_retry_failed_counts_and_announces_each_job(queue: Queue) -> None:
    enqueued = Recorder()
    queue.on("job enqueue", enqueued)
    storage, clock = queue.service.storage, queue.clock
    assert isinstance(clock, ManualClock)
    ids = [failed(storage, clock) for _ in range(3)]  # stored directly: nothing announced

    assert queue.retry_failed() == 3

    calls = enqueued.wait(3)
    assert sorted(call[0] for call in calls) == ids
    assert queue.retry_failed() == 0


def test_queue_promote_delayed_announces_promotion(queue: Queue) -> None:
    promoted = Recorder()
    queue.on("job promotion", promoted)
    job = queue.create("email").delay(3600).save()

    assert queue.promote_delayed("email") == 1

    assert promoted.wait(1)[0][0] == job.id
    assert job.refresh().state == "inactive"


def test_queue_bulk_actions_refuse_an_empty_type(queue: Queue) -> None:
    with pytest.raises(InvalidJobOption):
        queue.retry_failed("")
    with pytest.raises(InvalidJobOption):
        queue.pause_type("")
