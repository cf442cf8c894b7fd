"""The dashboard's bulk actions and type pausing over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from kueport.adapters.clock import ManualClock
from kueport.queue import Queue
from tests.http.conftest import Api, error_of


def failed_jobs(queue: Queue, job_type: str, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        job = queue.create(job_type).save()
        job.failed()
        assert job.id is not None
        ids.append(job.id)
    return ids


def test_retry_failed_moves_every_failed_job(api: Api, queue: Queue) -> None:
    ids = failed_jobs(queue, "email", 2) + failed_jobs(queue, "sms", 1)

    assert api.post("/jobs/failed/retry", json={}).get_json() == {"retried": 3}
    assert queue.inactive() == ids
    assert api.post("/jobs/failed/retry").get_json() == {"retried": 0}


def test_retry_failed_of_one_type(api: Api, queue: Queue) -> None:
    email = failed_jobs(queue, "email", 2)
    sms = failed_jobs(queue, "sms", 1)

    assert api.post("/jobs/failed/retry", json={"type": "sms"}).get_json() == {"retried": 1}
    assert queue.failed() == email and queue.inactive() == sms


def test_remove_complete_by_type_and_age(api: Api, queue: Queue, clock: ManualClock) -> None:
    old = queue.create("email").save().complete()
    clock.advance(10)
    new = queue.create("email").save().complete()
    other = queue.create("sms").save().complete()

    reply = api.post("/jobs/complete/remove", json={"olderThanMs": 5000, "type": "email"})

    assert reply.get_json() == {"removed": 1}
    assert queue.complete() == [new.id, other.id]
    assert old.id not in queue.complete()
    assert api.post("/jobs/complete/remove", json={}).get_json() == {"removed": 2}


def test_promote_delayed_promotes_now(api: Api, queue: Queue) -> None:
    job = queue.create("email").delay(3600).save()

    assert api.post("/jobs/delayed/promote", json={"type": "email"}).get_json() == {"promoted": 1}
    assert job.refresh().state == "inactive"


def test_pause_and_resume_a_type(api: Api, queue: Queue) -> None:
    assert api.post("/types/email/pause").get_json() == {"type": "email", "paused": True}
    assert queue.paused_types() == {"email"}
    assert api.post("/types/email/resume", json={}).get_json() == {"type": "email", "paused": False}
    assert queue.paused_types() == set()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/jobs/failed/retry", {"typ": "email"}),
        ("/jobs/failed/retry", {"type": ""}),
        ("/jobs/failed/retry", {"type": 3}),
        ("/jobs/failed/retry", ["email"]),
        ("/jobs/complete/remove", {"olderThanMs": -1}),
        ("/jobs/complete/remove", {"olderThanMs": "1000"}),
        ("/jobs/complete/remove", {"olderThanMs": True}),
        ("/jobs/failed/remove", {"olderThanMs": -1, "type": "email"}),
        ("/jobs/failed/remove", {"state": "complete"}),
        ("/jobs/delayed/promote", {"type": None, "all": True}),
        ("/types/email/pause", {"now": True}),
    ],
)
def test_a_bad_body_is_a_400_and_moves_nothing(
    api: Api, queue: Queue, path: str, body: Any
) -> None:
    failed = failed_jobs(queue, "email", 1)
    done = queue.create("email").save().complete()
    delayed = queue.create("email").delay(60).save()

    error_of(api.post(path, json=body), 400)

    assert queue.failed() == failed and queue.complete() == [done.id]
    assert queue.delayed() == [delayed.id] and queue.paused_types() == set()


def test_a_get_on_a_bulk_action_is_a_405_naming_post(api: Api) -> None:
    reply = api.get("/jobs/failed/retry")
    assert error_of(reply, 405) == "method not allowed"
    assert reply.headers["Allow"] == "POST"


def test_remove_failed_by_type_and_age(api: Api, queue: Queue, clock: ManualClock) -> None:
    old = failed_jobs(queue, "email", 1)
    clock.advance(10)
    new = failed_jobs(queue, "email", 1)
    other = failed_jobs(queue, "sms", 1)
    done = queue.create("email").save().complete()

    reply = api.post("/jobs/failed/remove", json={"olderThanMs": 5000, "type": "email"})

    assert reply.get_json() == {"removed": 1}
    assert queue.failed() == new + other
    assert not set(old) & set(queue.failed())
    assert api.post("/jobs/failed/remove", json={}).get_json() == {"removed": 2}
    assert queue.failed() == [] and queue.complete() == [done.id]
