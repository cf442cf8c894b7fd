"""Every Job object of this process listening to a stored job hears its events (README "Job
events": "the one you saved, or one from `queue.get_job`"), each once, and none is kept
longer than its events can come."""

from __future__ import annotations

import gc

from kueport import Job
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for

EVENTS = ("start", "progress", "failed attempt", "complete", "remove")


def _listen(job: Job, events: Recorder) -> None:
    for name in EVENTS:
        job.on(name, events.tagged(name))


def test_the_saved_job_and_one_from_get_job_both_hear_every_event_once(queue: Queue) -> None:
    saved_events, fetched_events = Recorder(), Recorder()
    saved = queue.create("encode").attempts(2)
    _listen(saved, saved_events)
    saved.save()
    fetched = queue.get_job(saved.id)
    _listen(fetched, fetched_events)
    _listen(fetched, fetched_events)  # listening twice doubles the listeners, not the events

    def handler(job: Job) -> str:
        job.progress(1, 1)
        if job.to_dict()["attempts"]["made"] == 0:
            raise RuntimeError("first try")
        return "done"

    queue.process("encode", handler)
    expected = [
        ("start", "encode"),
        ("progress", 100, None),
        ("failed attempt", "first try", 1),
        ("start", "encode"),
        ("progress", 100, None),
        ("complete", "done"),
    ]
    assert saved_events.wait(len(expected)) == expected
    doubled = [call for call in expected for _ in range(2)]
    assert fetched_events.wait(len(doubled)) == doubled
    assert queue._router.tracked() == 0, "the final event forgets every object of the job"


def test_the_saved_job_and_one_from_get_job_both_hear_its_removal(queue: Queue) -> None:
    saved_events, fetched_events = Recorder(), Recorder()
    saved = queue.create("email").on("remove", saved_events).save()
    queue.get_job(saved.id).on("remove", fetched_events)

    saved.remove()

    assert saved_events.wait(1) == [("email",)]
    assert fetched_events.wait(1) == [("email",)]
    assert queue._router.tracked() == 0


def test_a_job_saved_without_keeping_a_reference_still_hears_its_events(queue: Queue) -> None:
    events = Recorder()
    job_id = queue.create("email").on("complete", events).save().id
    queue.get_job(job_id).on("start", lambda: None)
    gc.collect()
    queue.process("email", lambda job: "sent")

    assert events.wait(1) == [("sent",)]


def test_a_finished_job_given_listeners_hears_its_removal_while_held(queue: Queue) -> None:
    job_id = queue.create("email").save().id
    queue.process("email", lambda job: None)
    wait_for(lambda: queue.complete_count() == 1)
    events = Recorder()
    finished = queue.get_job(job_id).on("remove", events)

    finished.remove()

    assert events.wait(1) == [("email",)]
    assert queue._router.tracked() == 0


def test_a_finished_job_given_listeners_is_forgotten_once_dropped(queue: Queue) -> None:
    job_id = queue.create("email").save().id
    queue.process("email", lambda job: None)
    wait_for(lambda: queue.complete_count() == 1)
    queue.get_job(job_id).on("remove", lambda: None)  # dropped at once
    held = queue.get_job(job_id).on("remove", lambda: None)
    gc.collect()  # nothing may keep a dropped object for an event that may never come
    assert queue._router.tracked() == 1
    del held
    gc.collect()
    assert queue._router.tracked() == 0
