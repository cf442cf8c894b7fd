"""Counts, id lists, ranges, removal and restarts through the queue API."""

from __future__ import annotations

import pytest

from kueport import IllegalTransition, InvalidState, JobNotFound
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def test_counts_per_state_and_type(queue: Queue) -> None:
    queue.create("email").save()
    queue.create("email").delay(10).save()
    queue.create("video").save()

    assert (queue.inactive_count(), queue.delayed_count(), queue.count()) == (2, 1, 3)
    assert queue.inactive_count("email") == 1
    assert queue.delayed_count("video") == 0
    assert queue.count("inactive", "video") == 1
    assert queue.types() == ["email", "video"]


def test_id_lists_per_state_and_removal_by_id(queue: Queue) -> None:
    ok = queue.create("job", {"fail": False}).save()
    bad = queue.create("job", {"fail": True}).save()

    def handler(job):  # type: ignore[no-untyped-def]
        if job.data["fail"]:
            raise ValueError("bad")

    queue.process("job", handler)
    wait_for(lambda: queue.complete_count() == 1 and queue.failed_count() == 1)
    assert queue.complete() == [ok.id]
    assert queue.failed() == [bad.id]

    assert queue.remove(bad.id) is True  # type: ignore[arg-type]
    assert queue.failed() == []
    assert queue.remove(bad.id) is False  # type: ignore[arg-type]
    with pytest.raises(JobNotFound):
        queue.get_job(bad.id)  # type: ignore[arg-type]


def test_range_by_state_picks_by_priority_and_returns_by_id(queue: Queue) -> None:
    low = queue.create("a").priority("low").save()
    high = queue.create("a").priority("high").save()
    normal = queue.create("b").save()

    top_two = queue.range_by_state("inactive", 0, 1)
    assert [j.id for j in top_two] == sorted([high.id, normal.id])  # type: ignore[type-var]
    assert [j.id for j in queue.range_by_state("inactive", 0, -1, "desc")] == [
        normal.id,
        high.id,
        low.id,
    ]
    assert [j.id for j in queue.range_by_type("a", "inactive", 0, 10)] == [low.id, high.id]
    assert [j.id for j in queue.range(0, 0)] == [high.id]


@pytest.mark.parametrize(
    "call",
    [
        lambda q: q.count("bogus"),
        lambda q: q.ids("Inactive"),
        lambda q: q.range_by_state("done"),
        lambda q: q.range_by_type("a", "", 0, 1),
    ],
)
def test_unknown_states_are_refused(queue: Queue, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidState):
        call(queue)


def test_restart_puts_a_failed_job_back_in_the_queue(queue: Queue) -> None:
    events = Recorder()
    queue.on("job enqueue", events)
    job = queue.create("job").save()
    job.failed()
    assert queue.failed() == [job.id]

    job.inactive()
    assert queue.inactive() == [job.id]
    assert events.wait(2) == [(job.id, "job"), (job.id, "job")]


def test_moving_a_delayed_job_straight_to_active_is_refused(queue: Queue) -> None:
    job = queue.create("job").delay(5).save()
    with pytest.raises(IllegalTransition):
        job.active()
    assert queue.delayed() == [job.id]


def test_changing_priority_after_saving_reorders_the_queue(queue: Queue) -> None:
    first = queue.create("job").save()
    second = queue.create("job").save()
    second.priority("critical").save()
    assert queue.inactive("job") == [second.id, first.id]


def test_work_time_sums_completed_durations(queue: Queue) -> None:
    assert queue.work_time() is None
    queue.create("job").save()
    queue.process("job", lambda job: None)
    wait_for(lambda: queue.complete_count() == 1)
    assert queue.work_time() == 0  # the manual clock did not move while it ran


def test_remove_on_complete_deletes_the_job_and_its_log(queue: Queue) -> None:
    removed = Recorder()
    queue.on("job remove", removed)
    job = queue.create("job").remove_on_complete(True).save()
    queue.process("job", lambda job: job.log("working"))
    removed.wait(1)
    assert queue.count() == 0
    with pytest.raises(JobNotFound):
        queue.get_job(job.id)  # type: ignore[arg-type]


def test_remove_on_fail_deletes_a_job_that_failed_for_good(queue: Queue) -> None:
    job = queue.create("job").attempts(2).remove_on_fail(True).save()

    def fail(job):  # type: ignore[no-untyped-def]
        raise RuntimeError("no")

    removed = Recorder()
    queue.on("job remove", removed)
    queue.process("job", fail)
    assert removed.wait(1) == [(job.id, "job")]
    assert queue.count() == 0


def test_watch_stuck_jobs_runs_token_reconciliation(queue: Queue) -> None:
    queue.watch_stuck_jobs(0.01)
    queue.create("job").save()
    queue.process("job", lambda job: None)
    wait_for(lambda: queue.complete_count() == 1)
