"""Retention on every adapter: cleaning old finished jobs, queue-level defaults, log caps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kueport import InvalidRetention, InvalidState, Retention, RetentionRule, State
from kueport.adapters.clock import ManualClock
from kueport.domain.job import JobSpec
from kueport.domain.retry import plan_failure
from kueport.ports.storage import Claim, JobStorage
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.helpers import Recorder


def finished(storage: JobStorage, clock: ManualClock, state: State = State.COMPLETE) -> int:
    """A job stored and moved by hand to `state` at the clock's current time."""
    job_id = storage.enqueue(JobSpec(type="email", data={}), clock.now_ms()).id
    storage.append_log(job_id, "a line", clock.now_ms())
    storage.move(job_id, state, clock.now_ms())
    return job_id


def clean(
    storage: JobStorage,
    clock: ManualClock,
    state: State = State.COMPLETE,
    *,
    older_than: int | None = None,
    keep: int = 0,
    limit: int = 100,
) -> list[int]:
    removed = storage.clean(
        state, older_than=older_than, keep=keep, limit=limit, now=clock.now_ms()
    )
    return [record.id for record in removed]


def members(storage: JobStorage) -> set[str]:
    snapshot = storage.snapshot_indexes()  # type: ignore[attr-defined]
    return {member for items in snapshot.values() for member, _ in items}


# -- storage: clean ------------------------------------------------------------------------
def test_clean_keeps_the_most_recently_finished_not_the_highest_ids(
    storage: JobStorage, clock: ManualClock
) -> None:
    ids = [storage.enqueue(JobSpec(type="email", data={}), clock.now_ms()).id for _ in range(4)]
    for job_id in reversed(ids):  # the oldest id finishes last
        clock.advance(1)
        storage.move(job_id, State.COMPLETE, clock.now_ms())

    assert clean(storage, clock, keep=2) == [ids[3], ids[2]]  # oldest first
    assert sorted(storage.ids(State.COMPLETE)) == ids[:2]


def test_clean_removes_only_jobs_older_than_the_cutoff(
    storage: JobStorage, clock: ManualClock
) -> None:
    old = finished(storage, clock)
    clock.advance(5)
    recent = finished(storage, clock)
    clock.advance(5)

    assert clean(storage, clock, older_than=8000) == [old]
    assert clean(storage, clock, older_than=5000) == []  # updated_at == cutoff is kept
    assert storage.ids(State.COMPLETE) == [recent]


def test_keep_and_older_than_combine(storage: JobStorage, clock: ManualClock) -> None:
    ids = []
    for _ in range(4):
        ids.append(finished(storage, clock))
        clock.advance(10)
    # newest two kept whatever their age; of the others, only those older than 35 s go
    assert clean(storage, clock, older_than=35_000, keep=2) == [ids[0]]
    assert sorted(storage.ids(State.COMPLETE)) == ids[1:]


def test_clean_removes_at_most_limit_per_call(storage: JobStorage, clock: ManualClock) -> None:
    ids = []
    for _ in range(5):
        ids.append(finished(storage, clock))
        clock.advance(1)
    assert clean(storage, clock, limit=2) == ids[:2]
    assert clean(storage, clock, limit=2) == ids[2:4]
    assert clean(storage, clock, limit=2) == ids[4:]
    assert clean(storage, clock, limit=2) == []


def test_clean_deletes_hash_log_and_every_index_entry(
    storage: JobStorage, clock: ManualClock
) -> None:
    gone = finished(storage, clock, State.FAILED)
    kept = finished(storage, clock, State.COMPLETE)

    assert clean(storage, clock, State.FAILED) == [gone]
    assert storage.get(gone) is None
    assert storage.logs(gone) == []
    assert members(storage) == {f"0{len(str(kept))}|{kept}"}
    assert storage.count() == 1
    assert storage.count(State.FAILED, "email") == 0
    assert storage.logs(kept) == ["a line"]


@pytest.mark.parametrize("state", [State.INACTIVE, State.ACTIVE, State.DELAYED])
def test_clean_refuses_pending_and_running_states(
    storage: JobStorage, clock: ManualClock, state: State
) -> None:
    storage.enqueue(JobSpec(type="email", data={}), clock.now_ms())
    with pytest.raises(InvalidRetention, match="only 'complete' and 'failed'"):
        clean(storage, clock, state)
    assert storage.count() == 1


# -- storage: log cap ----------------------------------------------------------------------
def test_append_log_keeps_the_newest_lines(storage: JobStorage, clock: ManualClock) -> None:
    job_id = storage.enqueue(JobSpec(type="email", data={}), clock.now_ms()).id
    for n in range(5):
        storage.append_log(job_id, f"line {n}", clock.now_ms(), 3)
    assert storage.logs(job_id) == ["line 2", "line 3", "line 4"]
    storage.append_log(job_id, "uncapped", clock.now_ms())
    assert len(storage.logs(job_id)) == 4


def test_a_failure_trims_the_log_in_the_same_move(storage: JobStorage, clock: ManualClock) -> None:
    job_id = storage.enqueue(JobSpec(type="email", data={}), clock.now_ms()).id
    for n in range(3):
        storage.append_log(job_id, f"line {n}", clock.now_ms())
    (record,) = storage.claim(Claim(job_type="email", worker_id="w"), 0)
    now = clock.now_ms()
    plan = plan_failure(record, now)
    storage.fail(job_id, record.lease, "boom\ntrace", plan, now, max_log_lines=2)
    assert storage.logs(job_id) == ["line 2", "boom"]


# -- queue ---------------------------------------------------------------------------------
def complete_job(queue: Queue, clock: ManualClock, state: State = State.COMPLETE) -> int:
    job = queue.create("email").save()
    assert job.id is not None
    queue.service.move(job.id, state)
    return job.id


def test_queue_clean_announces_remove_and_counts(queue: Queue, clock: ManualClock) -> None:
    removed = Recorder()
    queue.on("job remove", removed)
    old = complete_job(queue, clock)
    clock.advance(3600)
    kept = complete_job(queue, clock)

    assert queue.clean("complete", older_than=timedelta(minutes=30)) == 1
    assert removed.wait(1) == [(old, "email")]
    assert queue.complete() == [kept]
    assert queue.clean(State.COMPLETE, keep=1) == 0
    assert queue.clean("complete") == 1


def test_queue_clean_loops_past_one_batch(queue: Queue, clock: ManualClock) -> None:
    for _ in range(5):
        complete_job(queue, clock, State.FAILED)
    assert queue.service.clean(State.FAILED, None, 1, limit=2) != []
    assert queue.failed_count() == 1


def test_queue_clean_refuses_bad_arguments(queue: Queue) -> None:
    with pytest.raises(InvalidRetention):
        queue.clean("inactive")
    with pytest.raises(InvalidState):
        queue.clean("done")
    with pytest.raises(InvalidRetention, match="keep"):
        queue.clean("complete", keep=-1)
    with pytest.raises(InvalidRetention, match="older_than"):
        queue.clean("complete", older_than=-5)


def test_default_retention_runs_in_maintenance_at_most_once_per_interval(
    make_queue: QueueFactory, clock: ManualClock
) -> None:
    queue = make_queue(
        retention={"complete": {"older_than": 60, "keep": 1}, "interval": 600},
        maintenance_interval=3600,
    )
    first, second = complete_job(queue, clock), complete_job(queue, clock)
    clock.advance(61)
    queue.run_maintenance()
    assert queue.complete() == [second]

    third = complete_job(queue, clock)
    clock.advance(61)
    queue.run_maintenance()  # within the interval: nothing happens
    assert queue.complete() == [second, third]
    clock.advance(600)
    queue.run_maintenance()
    assert queue.complete() == [third]
    assert first not in queue.complete()


def test_retention_settings_are_validated() -> None:
    assert Retention.parse({"failed": {"keep": 3}}) == Retention(
        rules={State.FAILED: RetentionRule(keep=3)}
    )
    assert RetentionRule(older_than=timedelta(seconds=2)).older_than == 2000
    for bad, message in [
        ({"inactive": {"keep": 1}}, "only 'complete' and 'failed'"),
        ({"complete": {"keep": 1, "age": 3}}, "unknown retention option"),
        ({"complete": {"older_than": "1h"}}, "older_than"),
        ({"complete": 5}, "must be a dict"),
        ({"interval": 0}, "interval"),
    ]:
        with pytest.raises(InvalidRetention, match=message):
            Retention.parse(bad)


def test_max_log_lines_caps_job_logs(make_queue: QueueFactory) -> None:
    queue = make_queue(max_log_lines=2)
    job = queue.create("email").save()
    for n in range(4):
        job.log("line %d", n)
    assert job.logs() == ["line 2", "line 3"]
    with pytest.raises(InvalidRetention):
        make_queue(max_log_lines=-1)
