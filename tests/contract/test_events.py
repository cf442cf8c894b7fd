"""Job-level and queue-level events with Kue's names and argument lists."""

from __future__ import annotations

import pytest

from kueport import Job
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.helpers import Recorder, wait_for


def test_job_complete_fires_with_the_handler_result(queue: Queue) -> None:
    events = Recorder()
    queue.create("email").on("complete", events).save()
    queue.process("email", lambda job: {"finalResult": 123})

    assert events.wait(1)[0] == ({"finalResult": 123},)


def test_a_listener_gets_only_the_arguments_it_accepts(queue: Queue) -> None:
    results = []
    queue.create("email").on("complete", lambda result: results.append(result)).save()
    queue.process("email", lambda job: "done")

    wait_for(lambda: results == ["done"])


def test_progress_events_carry_the_percentage_and_extra_data(queue: Queue) -> None:
    events = Recorder()

    def handler(job: Job) -> None:
        job.progress(1, 2)
        job.progress(3, 3, {"frame": 3})

    job = queue.create("video").on("progress", events).save()
    queue.process("video", handler)

    assert events.wait(2)[:2] == [(50, None), (100, {"frame": 3})]
    wait_for(lambda: queue.complete_count() == 1)
    assert job.refresh().to_dict()["progress_data"] == {"frame": 3}


def test_progress_refuses_a_total_that_is_not_positive(queue: Queue) -> None:
    from kueport import InvalidJobOption

    job = queue.create("video").save()
    with pytest.raises(InvalidJobOption):
        job.progress(1, 0)


def test_failing_attempts_then_final_failure_emit_kues_events(queue: Queue) -> None:
    job_events, queue_events = Recorder(), Recorder()
    queue.on("job failed attempt", queue_events.tagged("job failed attempt"))
    queue.on("job failed", queue_events.tagged("job failed"))
    job = queue.create("flaky").attempts(2)
    job.on("failed attempt", job_events.tagged("failed attempt"))
    job.on("failed", job_events.tagged("failed"))
    job.save()

    def handler(job: Job) -> None:
        raise ValueError("nope")

    queue.process("flaky", handler)

    assert job_events.wait(2) == [("failed attempt", "nope", 1), ("failed", "nope")]
    assert queue_events.wait(2) == [
        ("job failed attempt", job.id, "nope", 1),
        ("job failed", job.id, "nope"),
    ]


def test_five_attempts_with_four_failures_end_complete(queue: Queue) -> None:
    events = Recorder()
    runs = []

    def handler(job: Job) -> str:
        runs.append(job.id)
        if len(runs) < 5:
            raise RuntimeError(f"failure {len(runs)}")
        return "finally"

    job = queue.create("retry").attempts(5)
    job.on("failed attempt", events.tagged("failed attempt")).on(
        "complete", events.tagged("complete")
    )
    job.save()
    queue.process("retry", handler)

    calls = events.wait(5)
    assert [call[0] for call in calls] == ["failed attempt"] * 4 + ["complete"]
    assert [call[2] for call in calls[:4]] == [1, 2, 3, 4]
    assert len(runs) == 5
    assert job.refresh().to_dict()["attempts"] == {"made": 5, "remaining": 0, "max": 5}


def test_queue_level_complete_enqueue_start_and_remove(queue: Queue) -> None:
    events = Recorder()
    for name in ("job enqueue", "job start", "job complete", "job remove"):
        queue.on(name, events.tagged(name))
    job = queue.create("email").save()
    queue.process("email", lambda job: {"ok": 1})
    wait_for(lambda: queue.complete_count() == 1)
    job.remove()

    assert events.wait(4) == [
        ("job enqueue", job.id, "email"),
        ("job start", job.id, "email"),
        ("job complete", job.id, {"ok": 1}),
        ("job remove", job.id, "email"),
    ]


def test_job_level_enqueue_fires_for_the_saving_job(queue: Queue) -> None:
    events = Recorder()
    job = queue.create("email").on("enqueue", events)
    job.save()
    assert events.wait(1) == [("email",)]


def test_events_false_turns_job_level_events_off(queue: Queue) -> None:
    events, queue_level = Recorder(), Recorder()
    queue.on("job complete", queue_level)
    queue.create("email").events(False).on("complete", events).save()
    queue.process("email", lambda job: None)
    queue_level.wait(1)
    assert events.calls == []


def test_queue_without_job_events_still_emits_queue_events(make_queue) -> None:  # type: ignore[no-untyped-def]
    queue = make_queue(job_events=False)
    job_level, queue_level = Recorder(), Recorder()
    queue.on("job complete", queue_level)
    queue.create("email").on("complete", job_level).save()
    queue.process("email", lambda job: None)

    queue_level.wait(1)
    assert job_level.calls == []


def test_a_listener_that_raises_does_not_stop_processing(queue: Queue) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("listener bug")

    queue.on("job start", broken)
    queue.create("email").save()
    queue.process("email", lambda job: None)
    wait_for(lambda: queue.complete_count() == 1)


def test_finished_jobs_are_no_longer_tracked(queue: Queue) -> None:
    for _ in range(20):
        queue.create("email").on("complete", lambda result: None).save()
    queue.process("email", lambda job: None, concurrency=4)
    wait_for(lambda: queue.complete_count() == 20)
    wait_for(lambda: queue._router.tracked() == 0, what="every finished job to be forgotten")


def test_events_published_just_before_shutdown_still_reach_their_listeners(
    make_queue: QueueFactory,
) -> None:
    """Through Redis an event comes back over pub/sub a moment after the save that published
    it; closing the queue delivers what was published before it instead of dropping it."""
    for _ in range(10):
        queue = make_queue()
        heard, finished = Recorder(), Recorder()
        queue.on("job enqueue", heard)
        job = queue.create("email").on("enqueue", finished).save()
        queue.shutdown()

        assert heard.calls == [(job.id, "email")]
        assert finished.calls == [("email",)]
