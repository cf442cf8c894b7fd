"""`Job.bound`, the worker's cheap constructor, makes the same job `__init__` would."""

from __future__ import annotations

import kueport
from kueport.job import Job


def test_a_bound_job_has_exactly_the_attributes_init_gives_it() -> None:
    queue = kueport.create_queue()
    try:
        record = queue.create("email", {"to": "a@example.com"}).save().record
        assert record is not None
        service = queue.service
        bound = Job.bound(queue, record, "L1", service)
        built = Job(queue, record.type, record.data, record=record, lease="L1", service=service)
        assert vars(bound) == vars(built)
        assert bound.id == record.id and bound.data == {"to": "a@example.com"}
    finally:
        queue.shutdown(timeout=1)


def test_a_bound_job_with_null_data_reads_an_empty_object_as_init_does() -> None:
    queue = kueport.create_queue()
    try:
        record = queue.create("email").save().record
        assert record is not None
        record = record._replace(data=None)
        bound = Job.bound(queue, record, "L1", queue.service)
        assert vars(bound) == vars(Job(queue, "email", None, record=record, lease="L1")) | {
            "_bound_service": queue.service
        }
        assert bound.data == {}
    finally:
        queue.shutdown(timeout=1)
