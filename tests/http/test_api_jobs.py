"""Kue's job routes: shapes as in Kue (ids as numbers), and real statuses for bad input."""

from __future__ import annotations

import pytest

from kueport import State
from kueport.queue import Queue
from tests.http.conftest import Api, error_of


def test_get_job_is_kues_to_json_with_a_numeric_id(api: Api, queue: Queue) -> None:
    job = queue.create("email", {"to": "a@b.c"}).priority("high").attempts(3).save()

    body = api.get(f"/job/{job.id}").get_json()

    assert body == job.to_dict()
    assert body["id"] == job.id and isinstance(body["id"], int)
    assert (body["type"], body["state"], body["priority"]) == ("email", "inactive", -10)
    assert body["attempts"] == {"made": 0, "remaining": 3, "max": 3}
    assert isinstance(body["created_at"], str)


def test_an_unknown_job_is_a_404_with_kues_message(api: Api) -> None:
    assert error_of(api.get("/job/42"), 404) == 'job "42" doesnt exist'
    assert error_of(api.get("/job/42/log"), 404) == 'job "42" doesnt exist'
    assert error_of(api.delete("/job/42"), 404) == 'job "42" doesnt exist'
    assert error_of(api.put("/job/42/state/failed"), 404) == 'job "42" doesnt exist'
    assert error_of(api.put("/job/42/priority/3"), 404) == 'job "42" doesnt exist'
    assert error_of(api.get("/inactive/42"), 404) == 'job "42" doesnt exist'


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "1e3", "9" * 30, "٣"])
def test_a_job_id_that_is_no_number_is_a_400(api: Api, bad: str) -> None:
    assert "invalid job id" in error_of(api.get(f"/job/{bad}"), 400)
    assert "invalid job id" in error_of(api.delete(f"/job/{bad}"), 400)


def test_the_log_lists_the_lines(api: Api, queue: Queue) -> None:
    job = queue.create("email").save()
    job.log("sent to %s", "ann")
    job.log("done")
    assert api.get(f"/job/{job.id}/log").get_json() == ["sent to ann", "done"]


def test_put_state_moves_the_job(api: Api, queue: Queue) -> None:
    job = queue.create("email").save()

    reply = api.put(f"/job/{job.id}/state/failed")

    assert reply.status_code == 200 and reply.get_json() == {"message": "updated state"}
    assert job.refresh().state == "failed"
    assert queue.failed() == [job.id]


@pytest.mark.parametrize("bad", ["bogus", "INACTIVE", "stats", "..", " "])
def test_put_an_unknown_state_is_a_400_and_changes_nothing(
    api: Api, queue: Queue, bad: str
) -> None:
    job = queue.create("email").save()
    before = job.refresh().to_dict()

    assert "invalid state" in error_of(api.put(f"/job/{job.id}/state/{bad}"), 400)

    assert job.refresh().to_dict() == before
    assert queue.inactive() == [job.id]


def test_a_move_the_state_machine_refuses_is_a_409_and_changes_nothing(
    api: Api, queue: Queue
) -> None:
    job = queue.create("email").save()
    job.complete()
    before = job.refresh().to_dict()

    assert "cannot move" in error_of(api.put(f"/job/{job.id}/state/active"), 409)

    assert job.refresh().to_dict() == before


@pytest.mark.parametrize(
    ("given", "stored"), [("5", 5), ("-3", -3), ("critical", -15), ("low", 10)]
)
def test_put_priority_takes_numbers_and_names(
    api: Api, queue: Queue, given: str, stored: int
) -> None:
    job = queue.create("email").save()

    reply = api.put(f"/job/{job.id}/priority/{given}")

    assert reply.get_json() == {"message": "updated priority"}
    assert job.refresh().to_dict()["priority"] == stored


@pytest.mark.parametrize("bad", ["urgent", "1.5", "high-ish", "0x10"])
def test_put_an_unknown_priority_is_a_400_and_changes_nothing(
    api: Api, queue: Queue, bad: str
) -> None:
    job = queue.create("email").priority("high").save()
    before = job.refresh().to_dict()

    assert "invalid priority" in error_of(api.put(f"/job/{job.id}/priority/{bad}"), 400)

    assert job.refresh().to_dict() == before


def test_delete_removes_the_job(api: Api, queue: Queue) -> None:
    job = queue.create("email").save()

    assert api.delete(f"/job/{job.id}").get_json() == {"message": f"job {job.id} removed"}
    assert queue.count() == 0
    assert api.get(f"/job/{job.id}").status_code == 404


def test_restart_puts_a_failed_job_back_keeping_its_attempts(api: Api, queue: Queue) -> None:
    job = queue.create("email").save()
    job.failed()

    reply = api.get(f"/inactive/{job.id}")

    assert reply.get_json() == {"message": f"job {job.id} inactive"}
    assert job.refresh().state == "inactive"


def ranged(api: Api, path: str) -> list[int]:
    reply = api.get(path)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return [job["id"] for job in reply.get_json()]


def test_ranges_pick_by_priority_and_return_by_id(api: Api, queue: Queue) -> None:
    low = queue.create("email").priority("low").save().id
    high = queue.create("email").priority("high").save().id
    normal = queue.create("sms").save().id
    assert low is not None and high is not None and normal is not None

    assert ranged(api, "/jobs/0..-1") == [low, high, normal]
    assert ranged(api, "/jobs/0..1") == [high, normal]  # the two best, by id
    assert ranged(api, "/jobs/0..1/desc") == [normal, high]
    assert ranged(api, "/jobs/inactive/0..0") == [high]
    assert ranged(api, "/jobs/inactive/0..-1/desc") == [normal, high, low]
    assert ranged(api, "/jobs/email/inactive/0..-1") == [low, high]
    assert ranged(api, "/jobs/email/inactive/-1..-1/asc") == [low]
    assert ranged(api, "/jobs/complete/0..-1") == []
    assert api.get("/jobs/email/inactive/stats").get_json() == {"count": 2}
    assert api.get("/jobs/nothing/failed/stats").get_json() == {"count": 0}


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/a..b",
        "/jobs/0..x/asc",
        "/jobs/0.5..1",
        "/jobs/0..1/sideways",
        "/jobs/bogus/0..1",
        "/jobs/inactive/0..1/up",
        "/jobs/email/bogus/0..1",
        "/jobs/email/inactive/0..one",
        "/jobs/email/bogus/stats",
        "/jobs/0..99999999999999999999999",
    ],
)
def test_bad_ranges_states_and_orders_are_400s(api: Api, path: str) -> None:
    error_of(api.get(path), 400)


def test_job_types_lists_every_type(api: Api, queue: Queue) -> None:
    queue.create("sms").save()
    queue.create("email").save()
    assert api.get("/job/types").get_json() == ["email", "sms"]


def test_stats_counts_each_state_and_the_work_time(api: Api, queue: Queue) -> None:
    queue.create("email").save()
    queue.create("email").save().failed()

    assert api.get("/stats").get_json() == {
        "inactiveCount": 1,
        "activeCount": 0,
        "completeCount": 0,
        "failedCount": 1,
        "delayedCount": 0,
        "workTime": None,
    }
    assert queue.count(State.FAILED) == 1
