"""The JSON API meets the same option limits as Python callers: a priority or a delay that
no store keeps exactly is a 400 on every backend, and the stored jobs stay as they were."""

from __future__ import annotations

import pytest

from kueport.domain.priority import MAX_PRIORITY
from kueport.queue import Queue
from tests.http.conftest import Api, error_of


@pytest.mark.parametrize("priority", [str(MAX_PRIORITY + 1), "-9007199254740992", "9" * 400])
def test_put_a_priority_out_of_range_is_a_400_and_changes_nothing(
    api: Api, queue: Queue, priority: str
) -> None:
    job = queue.create("email").priority("high").save()
    before = job.refresh().to_dict()

    message = error_of(api.put(f"/job/{job.id}/priority/{priority}"), 400)

    assert "invalid priority" in message
    assert job.refresh().to_dict() == before


def test_put_a_priority_at_the_limit_is_stored(api: Api, queue: Queue) -> None:
    job = queue.create("email").save()
    assert api.put(f"/job/{job.id}/priority/-{MAX_PRIORITY}").status_code == 200
    assert job.refresh().to_dict()["priority"] == -MAX_PRIORITY


def test_post_a_job_with_a_priority_out_of_range_is_a_400_and_stores_nothing(
    api: Api, queue: Queue
) -> None:
    queue.create("email").save()
    body = {"type": "email", "data": {}, "options": {"priority": 10**400}}

    assert "out of range" in error_of(api.post("/job", json=body), 400)

    assert queue.count() == 1
    assert queue.create("email").save().id == 2  # no id spent on a half-written job
