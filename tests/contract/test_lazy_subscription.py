"""A queue subscribes to the event channel only once something listens.

Every event goes through the bus, a process's own included: a worker subscribed for nothing
would read back each `start` and `complete` it publishes and throw it away.
"""

from __future__ import annotations

from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def test_a_queue_nobody_listens_to_processes_jobs_without_subscribing(queue: Queue) -> None:
    queue.process("email", lambda job: "sent")
    queue.create("email").save()
    queue.save_all([queue.create("email") for _ in range(3)])

    wait_for(lambda: queue.complete_count("email") == 4)
    assert not queue.hears_events


def test_an_error_listener_does_not_need_the_event_channel(queue: Queue) -> None:
    queue.on("error", lambda error: None)
    assert not queue.hears_events


def test_a_queue_level_listener_subscribes_and_hears_later_jobs(queue: Queue) -> None:
    queue.create("email").save()  # before anyone listened: its events are nobody's
    completed = Recorder()
    queue.on("job complete", completed)
    assert queue.hears_events

    job = queue.create("email").save()
    queue.process("email", lambda job: {"ok": 1})

    wait_for(lambda: (job.id, {"ok": 1}) in completed.calls)


def test_a_job_saved_with_listeners_hears_every_event_from_its_enqueue_on(queue: Queue) -> None:
    events = Recorder()
    job = queue.create("email")
    for name in ("enqueue", "start", "complete"):
        job.on(name, events.tagged(name))
    job.save()
    assert queue.hears_events
    queue.process("email", lambda job: None)

    wait_for(lambda: [call[0] for call in events.calls] == ["enqueue", "start", "complete"])


def test_a_listener_added_after_the_save_subscribes_and_hears_the_rest(queue: Queue) -> None:
    job = queue.create("email").save()
    assert not queue.hears_events
    completed = Recorder()
    job.on("complete", completed)
    assert queue.hears_events

    queue.process("email", lambda job: "done")

    assert completed.wait(1)[0] == ("done",)


def test_test_mode_keeps_listening_on_its_own_bus(queue: Queue) -> None:
    completed = Recorder()
    queue.on("job complete", completed)
    queue.testmode.enter(process=True)
    try:
        assert queue.hears_events
        job = queue.create("email").save()
        queue.process("email", lambda job: 7)
        wait_for(lambda: (job.id, 7) in completed.calls)
    finally:
        queue.testmode.exit()
    assert queue.hears_events
