"""Saving a stored job again writes what the caller sees in it, as Kue's `job.save()` does."""

from __future__ import annotations

from kueport.queue import Queue


def test_data_changed_in_place_on_a_stored_job_is_written_by_save(queue: Queue) -> None:
    job = queue.get_job(queue.create("email", {"to": "ann", "tags": ["a"]}).save().id)

    job.data["to"] = "bob"
    job.data["tags"].append("b")
    job.save()

    assert queue.get_job(job.id).data == {"to": "bob", "tags": ["a", "b"]}


def test_data_changed_in_place_on_the_saved_job_itself_is_written_by_save(queue: Queue) -> None:
    job = queue.create("email", {"to": "ann"}).save()

    job.data["to"] = "bob"
    job.save()

    assert queue.get_job(job.id).data == {"to": "bob"}


def test_data_replaced_on_a_stored_job_is_written_by_save(queue: Queue) -> None:
    job = queue.get_job(queue.create("email", {"to": "ann"}).save().id)

    job.data = {"to": "cy"}
    job.save()

    assert queue.get_job(job.id).data == {"to": "cy"}


def test_saving_a_stored_job_again_keeps_its_data_and_applies_its_new_options(
    queue: Queue,
) -> None:
    job = queue.get_job(queue.create("email", {"to": "ann"}).save().id)

    job.priority("high").save()

    stored = queue.get_job(job.id)
    assert stored.data == {"to": "ann"}
    assert stored.record is not None and stored.record.priority == -10
