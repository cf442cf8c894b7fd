"""`queue.save_all`: many new jobs stored in pipelined batches, exactly as `save` stores one."""

from __future__ import annotations

import pytest

from kueport import InvalidJobOption, ManualClock
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.helpers import Recorder, wait_for


def test_jobs_get_ascending_ids_in_the_given_order_and_are_stored_like_save(
    queue: Queue,
) -> None:
    jobs = [queue.create("email", {"i": i}).priority("high").attempts(3) for i in range(1200)]
    saved = queue.save_all(jobs, batch_size=500)  # three batches, the last one partial

    assert saved is not None and [job.id for job in saved] == list(range(1, 1201))
    assert all(job.state == "inactive" for job in saved)
    assert queue.inactive_count("email") == 1200
    stored = queue.get_job(600)
    assert (stored.data, stored.to_dict()["priority"]) == ({"i": 599}, -10)
    assert stored.to_dict()["attempts"]["max"] == 3


def test_delayed_jobs_wait_and_inactive_ones_are_processed(
    queue: Queue, clock: ManualClock
) -> None:
    done = Recorder()
    jobs = [queue.create("email", {"n": 1}), queue.create("email", {"n": 2}).delay(60)]
    queue.save_all(jobs)
    assert [job.state for job in jobs] == ["inactive", "delayed"]
    queue.process("email", lambda job: done(job.data["n"]))
    assert done.wait(1) == [(1,)]
    clock.advance(60)
    assert [call[0] for call in done.wait(2)] == [1, 2]


def test_queue_and_job_events_announce_every_enqueued_job(queue: Queue) -> None:
    heard = Recorder()
    queue.on("job enqueue", lambda job_id, job_type: heard(job_id, job_type))
    first = queue.create("email")
    first_heard = Recorder()
    first.on("enqueue", first_heard)
    queue.save_all([first, queue.create("sms"), queue.create("sms").delay(60)])

    wait_for(lambda: len(heard.calls) == 2)
    assert sorted(heard.calls) == [(1, "email"), (2, "sms")]  # the delayed job is not enqueued
    assert first_heard.wait(1) == [("email",)]


def test_listeners_are_heard_in_whichever_batch_their_job_lands(queue: Queue) -> None:
    heard = Recorder()
    queue.on("job enqueue", lambda job_id, job_type: heard(job_id))
    jobs = [queue.create("email", {"n": n}) for n in range(5)]
    fourth_heard = Recorder()
    jobs[3].on("enqueue", fourth_heard)  # second batch of three (2, 2, 1)

    queue.save_all(jobs, batch_size=2)

    assert [job.id for job in jobs] == [1, 2, 3, 4, 5]
    assert fourth_heard.wait(1) == [("email",)]
    wait_for(lambda: len(heard.calls) == 5)
    assert sorted(heard.calls) == [(1,), (2,), (3,), (4,), (5,)]


def test_a_bad_job_anywhere_stores_none_of_them(queue: Queue, make_queue: QueueFactory) -> None:
    good = queue.create("email")
    saved = queue.create("email").save()
    other = make_queue().create("email")
    for bad in (saved, other, good):
        with pytest.raises(InvalidJobOption):
            queue.save_all([queue.create("email"), good, bad])
    assert queue.count() == 1  # only the job saved on its own
    with pytest.raises(ValueError):
        queue.save_all([queue.create("email")], batch_size=0)


def test_the_saved_jobs_can_be_changed_and_saved_again(queue: Queue) -> None:
    [job] = queue.save_all([queue.create("email", {"a": 1})])
    job.priority("critical").save()
    assert queue.get_job(job.id or 0).to_dict()["priority"] == -15


def test_nothing_to_save_is_fine(queue: Queue) -> None:
    assert queue.save_all([]) == []


@pytest.mark.parametrize(
    "bad",
    [{"x": {1}}, {"x": float("nan")}],
    ids=["set", "NaN"],
)
def test_a_job_whose_data_is_not_json_in_a_later_batch_stores_none_of_them(
    queue: Queue, bad: dict[str, object]
) -> None:
    jobs = [queue.create("email", {"n": n}) for n in range(600)] + [queue.create("email", bad)]

    with pytest.raises(InvalidJobOption, match="job 600"):
        queue.save_all(jobs)  # batches of 500: the bad job is in the second one

    assert queue.count() == 0
    assert all(job.id is None for job in jobs)
    saved = queue.save_all(jobs[:600])  # nothing half-saved: the good ones can be saved now
    assert [job.id for job in saved] == list(range(1, 601)) and queue.count() == 600


def test_save_all_stores_the_data_as_it_was_when_saved(queue: Queue) -> None:
    data = {"tags": ("a", "b"), 7: "seven"}
    [job] = queue.save_all([queue.create("email", data)])
    data["tags"] = ("changed",)
    assert queue.get_job(job.id or 0).data == {"tags": ["a", "b"], "7": "seven"}
